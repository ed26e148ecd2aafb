"""Rollup upkeep: recompute whole (day, org) buckets from raw rows, on the database.

Each source is one ORM ``GROUP BY`` query; :func:`_insert_select` turns it into
``INSERT INTO rollup (…) SELECT … FROM (query)`` so no row passes through Python. The
incremental job and the full rebuild share these queries, so the two cannot disagree.
The coarse tables (``COARSE``: org × day, and by month org, org × channel, org × matter,
org × window) are derived only from the daily rollups, in the same transaction, by one
``GROUP BY`` over them (:func:`_derive`), so they cannot disagree with them either.

Watermark rule (docs/metrics.md): a run looks at raw rows whose change timestamps are
at or after ``watermark - OVERLAP``, recomputes their buckets, and moves the watermark to
the run's ``now``. A write transaction that stamped its rows more than OVERLAP before it
committed would be missed until the nightly ``stats.rebuild_recent``; OVERLAP is far
longer than any write transaction of the platform.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from itertools import chain
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate

from haochaping.evaluations.models import Evaluation
from haochaping.handlings.models import Handling, HandlingMove
from haochaping.stats import bulk, rules
from haochaping.stats.models import (
    ChannelMonthRollup,
    EvaluationRollup,
    HandlingRollup,
    MatterMonthRollup,
    OrgDayRollup,
    OrgMonthRollup,
    RollupState,
    WindowMonthRollup,
    WorkOrderRollup,
)
from haochaping.workorders.models import Appeal, Callback, WorkOrder, WorkOrderEvent
from haochaping.workorders.rules import Action

OVERLAP = timedelta(minutes=2)
RECENT_DAYS = 40  # stats.rebuild_recent: covers a month plus late changes
STATE = "main"
ORG_CHUNK = 500
GRAIN = ("day", "org_id", "hall_id", "window_id", "staff_id", "matter_id")

Bucket = tuple[date, int]  # (Shanghai day, org id)


def _keys(day_field: str, prefix: str = "") -> dict[str, Any]:
    return {"k_day": TruncDate(day_field, tzinfo=rules.SHANGHAI),
            "k_org": F("org_id"), "k_hall": F(f"{prefix}hall_id"),
            "k_window": F(f"{prefix}window_id"), "k_staff": F(f"{prefix}staff_id"),
            "k_matter": F(f"{prefix}matter_id")}


def _counted(qs: QuerySet[Any], keys: dict[str, Any], counts: dict[str, Q]) -> QuerySet[Any]:
    return (qs.annotate(**keys).values(*keys)
            .annotate(**{f"c_{name}": Count("pk", filter=cond) for name, cond in counts.items()})
            .order_by())


VALID_CURRENT = Q(is_current=True, invalidated_at__isnull=True)


def evaluation_source(where: Q) -> QuerySet[Any]:
    counts = {f"level_{v}": VALID_CURRENT & Q(is_default=False, level=v) for v in rules.LEVELS}
    counts["default_ratings"] = VALID_CURRENT & Q(is_default=True)
    counts["invalidated"] = Q(invalidated_at__isnull=False)
    counts["superseded"] = Q(is_current=False, invalidated_at__isnull=True)
    keys = {**_keys("created_at"), "k_channel": F("channel")}
    return _counted(Evaluation.objects.filter(where), keys, counts)


def handling_source(where: Q) -> QuerySet[Any]:
    # A handling has at most one current rating (unique partial index), so a LEFT JOIN on
    # the current valid rating keeps one row per handling: one hash join in a rebuild,
    # index probes in a tick (two EXISTS subplans scanned every rating per batch).
    rating = FilteredRelation("evaluations", condition=Q(
        evaluations__is_current=True, evaluations__invalidated_at__isnull=True))
    qs = (Handling.objects.filter(where, status="completed", completed_at__isnull=False)
          .annotate(rating=rating))
    counts = {"completed": Q(), "rated_real": Q(rating__is_default=False),
              "rated_default": Q(rating__is_default=True)}
    return _counted(qs, _keys("completed_at"), counts)


def workorder_source(where: Q) -> QuerySet[Any]:
    appeals = Appeal.objects.filter(order=OuterRef("pk"))
    qs = WorkOrder.objects.filter(where).annotate(
        has_callback=Exists(Callback.objects.filter(order=OuterRef("pk"))),
        has_appeal=Exists(appeals), has_upheld=Exists(appeals.filter(ruling="upheld")))
    counts = {"orders": Q(), "voided": Q(status="voided"), "closed": Q(status="closed"),
              "closed_on_time": Q(status="closed", overdue_at__isnull=True),
              "called_back": Q(has_callback=True), "appealed": Q(has_appeal=True),
              "appeal_upheld": Q(has_upheld=True)}
    keys = {**_keys("created_at", "handling__"), "k_kind": F("kind")}
    return _counted(qs, keys, counts)


SOURCES: dict[type[models.Model], tuple[Any, str, str | None]] = {
    # rollup model → (source query, raw day field, extra key column)
    EvaluationRollup: (evaluation_source, "created_at", "channel"),
    HandlingRollup: (handling_source, "completed_at", None),
    WorkOrderRollup: (workorder_source, "created_at", "kind"),
}


def _insert_select(model: type[models.Model], source: QuerySet[Any], extra: str | None,
                   *, ordered: bool = True) -> None:
    qn = connection.ops.quote_name
    targets = [*GRAIN, *([extra] if extra else [])]
    aliases = ["k_day", "k_org", "k_hall", "k_window", "k_staff", "k_matter",
               *([f"k_{extra}"] if extra else [])]
    count_names = [f.name for f in model._meta.concrete_fields
                   if f.name in rules.COUNT_FIELDS]
    columns = ", ".join(qn(c) for c in [*targets, *count_names])
    picked = ", ".join(qn(a) for a in [*aliases, *(f"c_{n}" for n in count_names)])
    sql, params = source.query.sql_with_params()
    # In key order: the unique index then grows at its right edge instead of taking every
    # row at a random leaf (a rebuild writes about as many rows as it reads). Not needed
    # when the table is bulk loaded without indexes (rebuild_all).
    order = f" ORDER BY {', '.join(qn(a) for a in aliases)}" if ordered else ""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {qn(model._meta.db_table)} ({columns}) "  # noqa: S608
                       f"SELECT {picked} FROM ({sql}) AS src{order}", params)


def _range_q(field: str, first: date, end: date) -> Q:
    start, _ = rules.day_bounds(first)
    stop, _ = rules.day_bounds(end)
    return Q(**{f"{field}__gte": start, f"{field}__lt": stop})


def recompute(model: type[models.Model], buckets: Iterable[Bucket]) -> int:
    """Delete and re-insert the daily rollup rows of exactly these buckets (idempotent).
    The coarse tables are refreshed from them by :func:`derive_buckets`."""
    source, day_field, extra = SOURCES[model]
    buckets = set(buckets)
    for day, orgs in _by_day(buckets):
        model._default_manager.filter(day=day, org_id__in=orgs).delete()
        where = _range_q(day_field, day, day + timedelta(days=1)) & Q(org_id__in=orgs)
        _insert_select(model, source(where), extra)
    return len(buckets)


def _by_day(buckets: Iterable[Bucket]) -> list[tuple[date, list[int]]]:
    by_day: dict[date, set[int]] = defaultdict(set)
    for day, org_id in buckets:
        by_day[day].add(org_id)
    return [(day, chunk) for day, org_ids in sorted(by_day.items())
            for chunk in _chunks(sorted(org_ids))]


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i:i + ORG_CHUNK] for i in range(0, len(ids), ORG_CHUNK)]


# --- coarse rollups: derived from the daily rollups only ------------------------------

# coarse model → (by month?, key columns besides day and org)
COARSE: dict[type[models.Model], tuple[bool, tuple[str, ...]]] = {
    OrgDayRollup: (False, ()),
    OrgMonthRollup: (True, ()),
    ChannelMonthRollup: (True, ("channel",)),
    MatterMonthRollup: (True, ("matter_id",)),
    WindowMonthRollup: (True, ("window_id",)),
}
# A coarse table summed from another coarse one (derived before it: COARSE's order) rather
# than from the daily rollups: org × month from org × day reads a fraction of the rows.
SUMMED_FROM: dict[type[models.Model], type[models.Model]] = {OrgMonthRollup: OrgDayRollup}


def _month_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"date_trunc('month', {column})::date"
    return f"date({column}, 'start of month')"


def _derived_select(model: type[models.Model], where: str, where_params: list[Any]
                    ) -> tuple[str, list[Any], list[str]]:
    """``SELECT keys, SUM(counts) … GROUP BY keys`` of the coarse ``model`` over the daily
    rollups that carry its keys, restricted by ``where`` (on their ``day`` and
    ``org_id``). Returns the SQL, its parameters and the coarse table's columns in order."""
    monthly, extra = COARSE[model]
    qn = connection.ops.quote_name
    names = [f.name for f in model._meta.concrete_fields if f.name in rules.COUNT_FIELDS]
    branches: list[str] = []
    params: list[Any] = []
    for fine in [SUMMED_FROM[model]] if model in SUMMED_FROM else SOURCES:
        have = {f.attname for f in fine._meta.concrete_fields}
        if not set(extra) <= have:
            continue
        day = _month_sql(qn("day")) if monthly else qn("day")
        picked = ", ".join([f"{day} AS k_day", f"{qn('org_id')} AS k_org",
                            *(f"{qn(e)} AS k_{e}" for e in extra),
                            *(f"{qn(n) if n in have else 0} AS c_{n}" for n in names)])
        branches.append(f"SELECT {picked} FROM {qn(fine._meta.db_table)} "  # noqa: S608
                        f"WHERE {where}")
        params += where_params
    keys = ["k_day", "k_org", *(f"k_{e}" for e in extra)]
    sums = ", ".join(f"SUM(c_{n})" for n in names)
    union = " UNION ALL ".join(branches)
    sql = (f"SELECT {', '.join(keys)}, {sums} FROM ({union}) AS src "  # noqa: S608
           f"GROUP BY {', '.join(keys)} ORDER BY {', '.join(keys)}")
    return sql, params, ["day", "org_id", *extra, *names]


def _derive(model: type[models.Model], lo: date, hi: date, orgs: list[int] | None) -> None:
    """INSERT the coarse rows of days [lo, hi) (whole months for a month table), for
    these orgs or all, as one GROUP BY over the daily rollups that carry its keys."""
    qn = connection.ops.quote_name
    where = f"{qn('day')} >= %s AND {qn('day')} < %s"
    params: list[Any] = [lo, hi]
    if orgs is not None:
        where += f" AND {qn('org_id')} IN ({', '.join(['%s'] * len(orgs))})"
        params += orgs
    sql, params, columns = _derived_select(model, where, params)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {qn(model._meta.db_table)} "  # noqa: S608
                       f"({', '.join(qn(c) for c in columns)}) {sql}", params)


# Month tables kept by deltas on each incremental run (the rest are re-derived): the
# month's rows of the touched orgs move by what their touched days changed, so a run costs
# what changed, not the size of the month so far.
DELTA_KEPT = tuple(m for m, (monthly, _) in COARSE.items() if monthly and m not in SUMMED_FROM)

Contribution = dict[tuple[Any, ...], list[int]]


def contributions(model: type[models.Model], buckets: set[Bucket]) -> Contribution:
    """What the daily rollups of these (day, org) buckets add to ``model``'s rows, by
    the row's key (month, org, extra key)."""
    qn = connection.ops.quote_name
    found: Contribution = {}
    width = 2 + len(COARSE[model][1])
    for day, orgs in _by_day(buckets):
        where = (f"{qn('day')} = %s AND "
                 f"{qn('org_id')} IN ({', '.join(['%s'] * len(orgs))})")
        sql, params, _ = _derived_select(model, where, [day, *orgs])
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for row in cursor.fetchall():
                key = (rules.as_date(row[0]), *row[1:width])
                counts = [int(v) for v in row[width:]]
                if key in found:
                    found[key] = [a + b for a, b in zip(found[key], counts, strict=True)]
                else:
                    found[key] = counts
    return found


def apply_delta(model: type[models.Model], before: Contribution, after: Contribution) -> int:
    """Move ``model``'s rows by ``after - before``: rows that change are replaced, rows
    that fall to all zeros are removed (as a re-derivation would leave none). Returns the
    rows written or removed."""
    extra = COARSE[model][1]
    names = [f.name for f in model._meta.concrete_fields if f.name in rules.COUNT_FIELDS]
    zero = [0] * len(names)
    delta: Contribution = {}
    for key in before.keys() | after.keys():
        change = [b - a for a, b in zip(before.get(key, zero), after.get(key, zero),
                                        strict=True)]
        if any(change):
            delta[key] = change
    if not delta:
        return 0
    key_of = ("day", "org_id", *extra)
    manager = model._default_manager
    existing = {tuple(getattr(row, k) for k in key_of): row for row in manager.filter(
        day__in={k[0] for k in delta}, org_id__in={k[1] for k in delta})}
    stale, fresh = [], []
    for key, change in delta.items():
        row = existing.get(key)
        counts = ([getattr(row, n) + c for n, c in zip(names, change, strict=True)]
                  if row is not None else change)
        if row is not None:
            stale.append(row.pk)
        if any(counts):
            fresh.append(model(**dict(zip(key_of, key, strict=True)),
                               **dict(zip(names, counts, strict=True))))
    manager.filter(pk__in=stale).delete()
    manager.bulk_create(fresh)
    return len(stale) + len(fresh)


def _month_span(first: date, end: date) -> tuple[date, date]:
    """The whole months covering the days [first, end)."""
    last = end - timedelta(days=1)
    return first.replace(day=1), rules.shift(last.replace(day=1), rules.Period.MONTH, 1)


def derive_buckets(buckets: Iterable[Bucket], skip: Iterable[type[models.Model]] = ()
                   ) -> None:
    """Refresh the coarse rows covering these (day, org) buckets from the daily rollups;
    call it in the transaction that recomputed them. ``skip``: tables kept otherwise."""
    buckets = set(buckets)
    for model, (monthly, _) in COARSE.items():
        if model in skip:
            continue
        wanted = {(day.replace(day=1) if monthly else day, org) for day, org in buckets}
        for day, orgs in _by_day(wanted):
            hi = rules.shift(day, rules.Period.MONTH, 1) if monthly else day + timedelta(days=1)
            model._default_manager.filter(day=day, org_id__in=orgs).delete()
            _derive(model, day, hi, orgs)


def derive_all() -> None:
    """Re-derive every coarse table from the daily rollups as they stand."""
    with transaction.atomic():
        for model in COARSE:
            model._default_manager.all().delete()
            _derive(model, date.min, date.max, None)


def rebuild(first: date, last: date, *, batch_days: int | None = None) -> int:
    """Rebuild every rollup for the days ``first`` … ``last`` in one transaction: one
    INSERT … SELECT per daily rollup (in batches of ``batch_days`` if given), then the
    coarse tables from them (whole months around the range). Returns the days rebuilt."""
    end = last + timedelta(days=1)
    step = timedelta(days=batch_days) if batch_days else end - first
    with transaction.atomic():
        _hold_state()
        _rebuild_memory()
        for model, (source, day_field, extra) in SOURCES.items():
            model._default_manager.filter(day__gte=first, day__lt=end).delete()
            day = first
            while day < end:
                stop = min(day + step, end)
                _insert_select(model, source(_range_q(day_field, day, stop)), extra)
                day = stop
        for model, (monthly, _) in COARSE.items():
            lo, hi = _month_span(first, end) if monthly else (first, end)
            model._default_manager.filter(day__gte=lo, day__lt=hi).delete()
            _derive(model, lo, hi, None)
    return (last - first).days + 1


def _rebuild_memory() -> None:
    """Room for the hash joins and sorts of a whole rebuild (PostgreSQL, this transaction)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")


def rebuild_all() -> int:
    """Rebuild every rollup from every raw row; returns the days rebuilt.

    On PostgreSQL the tables are emptied and bulk loaded in one transaction, their
    indexes built once after the load (stats.bulk) and their statistics refreshed, so the
    next reads are planned on the new rows. Readers of the rollup tables wait until it
    commits (TRUNCATE locks them); cached dashboards are still served. Elsewhere it is
    :func:`rebuild` over the raw span."""
    span = raw_day_span()
    tables = [*SOURCES, *COARSE]
    if connection.vendor != "postgresql":
        with transaction.atomic():
            _hold_state()
            for model in tables:
                model._default_manager.all().delete()
            return rebuild(*span) if span else 0
    with transaction.atomic():
        _hold_state()
        _rebuild_memory()
        with bulk.emptied_without_indexes(tables):
            if span:
                for model, (source, _, extra) in SOURCES.items():
                    _insert_select(model, source(Q()), extra, ordered=False)
                for model in COARSE:
                    _derive(model, date.min, date.max, None)
        with connection.cursor() as cursor:
            for model in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return (span[1] - span[0]).days + 1 if span else 0


def raw_day_span() -> tuple[date, date] | None:
    """The first and last Shanghai day holding any raw row the rollups count."""
    moments = [m for m in (
        Evaluation.objects.aggregate(a=models.Min("created_at"), b=models.Max("created_at")),
        Handling.objects.aggregate(a=models.Min("completed_at"), b=models.Max("completed_at")),
        WorkOrder.objects.aggregate(a=models.Min("created_at"), b=models.Max("created_at")),
    ) for m in (m["a"], m["b"]) if m is not None]
    if not moments:
        return None
    days = [rules.local_day(m) for m in moments]
    return min(days), max(days)


def touched(since: datetime) -> dict[type[models.Model], set[Bucket]]:
    """The buckets whose raw rows changed at or after ``since``."""
    evaluations = list(Evaluation.objects.filter(
        Q(created_at__gte=since) | Q(superseded_at__gte=since) | Q(invalidated_at__gte=since))
        .values_list("created_at", "org_id", "handling_id"))
    handling_ids = {h for _, _, h in evaluations}
    handlings = [(at, org) for at, org in Handling.objects.filter(
        Q(updated_at__gte=since) | Q(pk__in=handling_ids), completed_at__isnull=False,
    ).values_list("completed_at", "org_id") if at is not None]
    # A corrected org or completion time: the row names only the bucket the handling
    # counts in now; the intake kept the one it left (handlings.HandlingMove).
    handlings += HandlingMove.objects.filter(at__gte=since).values_list("completed_at",
                                                                        "org_id")
    order_ids = set(Callback.objects.filter(at__gte=since).values_list("order_id", flat=True))
    order_ids |= set(Appeal.objects.filter(Q(at__gte=since) | Q(ruled_at__gte=since))
                     .values_list("order_id", flat=True))
    # An order's row is keyed by its handling's hall, window, staff and matter too: a
    # correction of the handling moves it within the order's bucket.
    # Two statements, not one OR: each is an index read (the order's timestamps and id;
    # the corrected handlings through their `updated_at` index, then the orders'
    # handling key), where the OR with a sub-query made the planner read every order.
    corrected = Handling.objects.filter(updated_at__gte=since).values("pk")
    fields = ("pk", "created_at", "org_id")
    orders = list({row[0]: row for row in chain(
        WorkOrder.objects.filter(Q(updated_at__gte=since) | Q(created_at__gte=since)
                                 | Q(pk__in=order_ids)).values_list(*fields),
        WorkOrder.objects.filter(handling_id__in=corrected).values_list(*fields),
    )}.values())
    return {
        EvaluationRollup: {(rules.local_day(at), org) for at, org, _ in evaluations},
        HandlingRollup: {(rules.local_day(at), org) for at, org in handlings},
        WorkOrderRollup: ({(rules.local_day(at), org) for _, at, org in orders}
                          | _left_behind(since, orders)),
    }


def _left_behind(since: datetime, orders: list[tuple[int, datetime, int]]) -> set[Bucket]:
    """The buckets these changed orders were redispatched out of at or after ``since``.

    A redispatch moves an order to another org: its current row names only the new
    org's (day, org) bucket, and the old one must lose the order in the same run. The
    redispatch event keeps the old org (``from_org``); a redispatch also stamps the
    order's ``updated_at``, so its order is among ``orders``: the events are read
    through their order index for those orders only (one query for up to ORG_CHUNK
    changed orders, none when no order changed)."""
    created = {pk: at for pk, at, _ in orders}
    found: set[Bucket] = set()
    for chunk in _chunks(sorted(created)):
        for order_id, payload in WorkOrderEvent.objects.filter(
                order_id__in=chunk, action=Action.REDISPATCH.value, at__gte=since,
        ).values_list("order_id", "payload"):
            found.add((rules.local_day(created[order_id]), int(payload["from_org"])))
    return found


def _small_statements() -> None:
    """An incremental run sends dozens of statements over a few thousand rows each:
    PostgreSQL's JIT compilation (tens of ms per statement) costs more than it saves."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def _hold_state() -> RollupState:
    """Lock the roll-up state row for this transaction: incremental runs and rebuilds take
    it first, so they never interleave (a run's deltas would otherwise land on months a
    concurrent rebuild is re-deriving)."""
    RollupState.objects.get_or_create(name=STATE)
    return RollupState.objects.select_for_update().get(name=STATE)


def rollup_tick(now: datetime) -> str:
    """One incremental run (worker job ``stats.rollup``). The job system runs it on one
    worker at a time; a killed run rolls back and the next one redoes the same buckets.

    The daily rollups of the changed buckets are recomputed from raw rows; org × day and
    org × month are re-derived for them; the other month tables move by what those
    buckets changed (DELTA_KEPT), read before and after the recomputation."""
    with transaction.atomic():
        state = _hold_state()
        if state.watermark is None:
            days = rebuild_all()
            RollupState.objects.filter(pk=state.pk).update(watermark=now, last_run_at=now,
                                                           last_buckets=days)
            return f"first run: rebuilt {days} days"
        _small_statements()
        work = touched(state.watermark - OVERLAP)
        every = {b for buckets in work.values() for b in buckets}
        before = {model: contributions(model, every) for model in DELTA_KEPT}
        done = sum(recompute(model, buckets) for model, buckets in work.items())
        derive_buckets(every, skip=DELTA_KEPT)
        for model in DELTA_KEPT:
            apply_delta(model, before[model], contributions(model, every))
        RollupState.objects.filter(pk=state.pk).update(watermark=now, last_run_at=now,
                                                       last_buckets=done)
    return f"recomputed {done} buckets"


def rebuild_recent(now: datetime) -> str:
    """Nightly repair (job ``stats.rebuild_recent``): rebuild the last RECENT_DAYS days,
    catching what no change timestamp reveals (rows written with old timestamps, a write
    committed later than OVERLAP)."""
    last = rules.local_day(now)
    days = rebuild(last - timedelta(days=RECENT_DAYS - 1), last)
    return f"rebuilt {days} days"
