"""Rollup upkeep: recompute whole (day, org) buckets from raw rows, on the database.

Each source is one ORM ``GROUP BY`` query; :func:`_insert_select` turns it into
``INSERT INTO rollup (…) SELECT … FROM (query)`` so no row passes through Python. The
incremental job and the full rebuild share these queries, so the two cannot disagree.

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
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate

from haochaping.evaluations.models import Evaluation
from haochaping.handlings.models import Handling
from haochaping.stats import rules
from haochaping.stats.models import EvaluationRollup, HandlingRollup, RollupState, WorkOrderRollup
from haochaping.workorders.models import Appeal, Callback, WorkOrder

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
    ratings = Evaluation.objects.filter(VALID_CURRENT, handling=OuterRef("pk"))
    qs = (Handling.objects.filter(where, status="completed", completed_at__isnull=False)
          .annotate(has_real=Exists(ratings.filter(is_default=False)),
                    has_default=Exists(ratings.filter(is_default=True))))
    counts = {"completed": Q(), "rated_real": Q(has_real=True),
              "rated_default": Q(has_default=True)}
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


def _insert_select(model: type[models.Model], source: QuerySet[Any], extra: str | None) -> None:
    qn = connection.ops.quote_name
    targets = [*GRAIN, *([extra] if extra else [])]
    aliases = ["k_day", "k_org", "k_hall", "k_window", "k_staff", "k_matter",
               *([f"k_{extra}"] if extra else [])]
    count_names = [f.name for f in model._meta.concrete_fields
                   if f.name in rules.COUNT_FIELDS]
    columns = ", ".join(qn(c) for c in [*targets, *count_names])
    picked = ", ".join(qn(a) for a in [*aliases, *(f"c_{n}" for n in count_names)])
    sql, params = source.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {qn(model._meta.db_table)} ({columns}) "  # noqa: S608
                       f"SELECT {picked} FROM ({sql}) AS src", params)


def _range_q(field: str, first: date, end: date) -> Q:
    start, _ = rules.day_bounds(first)
    stop, _ = rules.day_bounds(end)
    return Q(**{f"{field}__gte": start, f"{field}__lt": stop})


def recompute(model: type[models.Model], buckets: Iterable[Bucket]) -> int:
    """Delete and re-insert the rollup rows of exactly these buckets (idempotent)."""
    source, day_field, extra = SOURCES[model]
    by_day: dict[date, set[int]] = defaultdict(set)
    for day, org_id in buckets:
        by_day[day].add(org_id)
    for day, org_ids in sorted(by_day.items()):
        orgs = sorted(org_ids)
        for i in range(0, len(orgs), ORG_CHUNK):
            chunk = orgs[i:i + ORG_CHUNK]
            model._default_manager.filter(day=day, org_id__in=chunk).delete()
            where = _range_q(day_field, day, day + timedelta(days=1)) & Q(org_id__in=chunk)
            _insert_select(model, source(where), extra)
    return sum(len(v) for v in by_day.values())


def rebuild(first: date, last: date, *, batch_days: int = 31) -> int:
    """Rebuild every rollup for the days ``first`` … ``last`` in batches of days, each
    batch one transaction. Returns the number of days rebuilt."""
    day = first
    while day <= last:
        end = min(day + timedelta(days=batch_days), last + timedelta(days=1))
        with transaction.atomic():
            for model, (source, day_field, extra) in SOURCES.items():
                model._default_manager.filter(day__gte=day, day__lt=end).delete()
                _insert_select(model, source(_range_q(day_field, day, end)), extra)
        day = end
    return (last - first).days + 1


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
    order_ids = set(Callback.objects.filter(at__gte=since).values_list("order_id", flat=True))
    order_ids |= set(Appeal.objects.filter(Q(at__gte=since) | Q(ruled_at__gte=since))
                     .values_list("order_id", flat=True))
    orders = WorkOrder.objects.filter(
        Q(updated_at__gte=since) | Q(created_at__gte=since) | Q(pk__in=order_ids),
    ).values_list("created_at", "org_id")
    return {
        EvaluationRollup: {(rules.local_day(at), org) for at, org, _ in evaluations},
        HandlingRollup: {(rules.local_day(at), org) for at, org in handlings},
        WorkOrderRollup: {(rules.local_day(at), org) for at, org in orders},
    }


def rollup_tick(now: datetime) -> str:
    """One incremental run (worker job ``stats.rollup``). The job system runs it on one
    worker at a time; a killed run rolls back and the next one redoes the same buckets."""
    state, _ = RollupState.objects.get_or_create(name=STATE)
    if state.watermark is None:
        span = raw_day_span()
        days = rebuild(*span) if span else 0
        RollupState.objects.filter(pk=state.pk).update(watermark=now, last_run_at=now,
                                                       last_buckets=days)
        return f"first run: rebuilt {days} days"
    with transaction.atomic():
        work = touched(state.watermark - OVERLAP)
        done = sum(recompute(model, buckets) for model, buckets in work.items())
        RollupState.objects.filter(pk=state.pk).update(watermark=now, last_run_at=now,
                                                       last_buckets=done)
    return f"recomputed {done} buckets"


def rebuild_recent(now: datetime) -> str:
    """Nightly repair (job ``stats.rebuild_recent``): rebuild the last RECENT_DAYS days,
    catching what no change timestamp reveals (a handling's completion day moved, an
    order redispatched to another org, a write committed later than OVERLAP)."""
    last = rules.local_day(now)
    days = rebuild(last - timedelta(days=RECENT_DAYS - 1), last)
    return f"rebuilt {days} days"
