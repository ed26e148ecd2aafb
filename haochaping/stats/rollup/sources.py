"""The daily roll-ups' source queries and their recomputation by (day, org) bucket.

Each source is one ORM ``GROUP BY`` query; :func:`insert_select` turns it into
``INSERT INTO rollup (…) SELECT … FROM (query)`` so no row passes through Python. The
incremental tick, the per-month rebuild and the full rebuild share these queries, so they
cannot disagree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import connection, models
from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate

from haochaping.complaints.models import SpotCheck, Submission
from haochaping.evaluations.models import Evaluation
from haochaping.handlings.models import Handling
from haochaping.stats import rules
from haochaping.stats.models import (
    EvaluationRollup,
    HandlingRollup,
    ItemCloseRollup,
    ItemRollup,
    SpotCheckRollup,
    WorkOrderRollup,
)
from haochaping.stats.rollup import item_sources
from haochaping.workorders.models import Appeal, Callback, WorkOrder
from haochaping.workorders.rules import Kind

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


def rating_counts() -> dict[str, Q]:
    """Which rating rows each rating count counts (the exclusions of stats.rules): the
    roll-ups and the breakdown by stage (stats.stages) share these. A rating of a stage
    (环节) is a rating like any other here, counted on its day for its window and staff."""
    counts = {f"level_{v}": VALID_CURRENT & Q(is_default=False, level=v) for v in rules.LEVELS}
    counts["default_ratings"] = VALID_CURRENT & Q(is_default=True)
    counts["invalidated"] = Q(invalidated_at__isnull=False)
    counts["superseded"] = Q(is_current=False, invalidated_at__isnull=True)
    return counts


def evaluation_source(where: Q) -> QuerySet[Any]:
    keys = {**_keys("created_at"), "k_channel": F("channel")}
    return _counted(Evaluation.objects.filter(where), keys, rating_counts())


def handling_source(where: Q) -> QuerySet[Any]:
    # A handling has at most one current rating as a whole (unique partial index
    # one_current_evaluation; ratings of its stages are not the handling's rating), so a
    # LEFT JOIN on that current valid rating keeps one row per handling: one hash join in
    # a rebuild, index probes in a tick (two EXISTS subplans scanned every rating per batch).
    rating = FilteredRelation("evaluations", condition=Q(
        evaluations__is_current=True, evaluations__stage__isnull=True,
        evaluations__invalidated_at__isnull=True))
    qs = (Handling.objects.filter(where, status="completed", completed_at__isnull=False)
          .annotate(rating=rating))
    counts = {"completed": Q(), "rated_real": Q(rating__is_default=False),
              "rated_default": Q(rating__is_default=True)}
    return _counted(qs, _keys("completed_at"), counts)


BAD_REVIEW_ORDERS = Kind.BAD_REVIEW.value


def workorder_source(where: Q) -> QuerySet[Any]:
    appeals = Appeal.objects.filter(order=OuterRef("pk"))
    # Bad-review orders only: the rectification figures (整改率, 回访率, 申诉率…) are of bad
    # reviews; complaint, inquiry and suggestion orders count in the item roll-ups.
    qs = WorkOrder.objects.filter(where).filter(kind=BAD_REVIEW_ORDERS).annotate(
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
    # 诉求件 (complaints app): by the day received, closed, called; keyed on the
    # attributed org (ORG_FIELD), not the item's own org column
    ItemRollup: (item_sources.item_source, "received_at", "kind"),
    ItemCloseRollup: (item_sources.item_close_source, "closed_at", "kind"),
    SpotCheckRollup: (item_sources.spot_source, "called_at", "kind"),
}
# The field a source's rows are bucketed by org on (default ``org_id``).
ORG_FIELD: dict[type[models.Model], str] = {
    m: item_sources.ORG for m in (ItemRollup, ItemCloseRollup, SpotCheckRollup)}


def source_select(model: type[models.Model], source: QuerySet[Any], extra: str | None
                  ) -> tuple[str, list[Any], list[str], int]:
    """``SELECT`` of the source's rows in the daily table's column order: the SQL, its
    parameters, the table's columns and how many of them are the key."""
    qn = connection.ops.quote_name
    targets = [*GRAIN, *([extra] if extra else [])]
    aliases = ["k_day", "k_org", "k_hall", "k_window", "k_staff", "k_matter",
               *([f"k_{extra}"] if extra else [])]
    count_names = [f.name for f in model._meta.concrete_fields
                   if f.name in rules.COUNT_FIELDS]
    picked = ", ".join(qn(a) for a in [*aliases, *(f"c_{n}" for n in count_names)])
    sql, params = source.query.sql_with_params()
    return (f"SELECT {picked} FROM ({sql}) AS src", list(params),  # noqa: S608
            [*targets, *count_names], len(targets))


def insert_select(model: type[models.Model], source: QuerySet[Any], extra: str | None,
                  *, ordered: bool = True) -> None:
    qn = connection.ops.quote_name
    sql, params, columns, width = source_select(model, source, extra)
    # In key order: the unique index then grows at its right edge instead of taking every
    # row at a random leaf (a rebuild writes about as many rows as it reads). Not needed
    # when the table is bulk loaded without indexes (rebuild_all).
    order = f" ORDER BY {', '.join(str(i) for i in range(1, width + 1))}" if ordered else ""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {qn(model._meta.db_table)} "  # noqa: S608
                       f"({', '.join(qn(c) for c in columns)}) {sql}{order}", params)


def range_q(field: str, first: date, end: date) -> Q:
    start, _ = rules.day_bounds(first)
    stop, _ = rules.day_bounds(end)
    return Q(**{f"{field}__gte": start, f"{field}__lt": stop})


def recompute(model: type[models.Model], buckets: Iterable[Bucket]) -> int:
    """Delete and re-insert the daily rollup rows of exactly these buckets (idempotent).
    The coarse tables are refreshed from them by ``coarse.derive_buckets``."""
    source, day_field, extra = SOURCES[model]
    buckets = set(buckets)
    for day, orgs in by_day(buckets):
        model._default_manager.filter(day=day, org_id__in=orgs).delete()
        where = (range_q(day_field, day, day + timedelta(days=1))
                 & Q(**{f"{ORG_FIELD.get(model, 'org_id')}__in": orgs}))
        insert_select(model, source(where), extra)
    return len(buckets)


def by_day(buckets: Iterable[Bucket]) -> list[tuple[date, list[int]]]:
    grouped: dict[date, set[int]] = defaultdict(set)
    for day, org_id in buckets:
        grouped[day].add(org_id)
    return [(day, chunk) for day, org_ids in sorted(grouped.items())
            for chunk in chunks(sorted(org_ids))]


def chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i:i + ORG_CHUNK] for i in range(0, len(ids), ORG_CHUNK)]


def raw_day_span() -> tuple[date, date] | None:
    """The first and last Shanghai day holding any raw row the rollups count."""
    moments = [m for m in (
        Evaluation.objects.aggregate(a=models.Min("created_at"), b=models.Max("created_at")),
        Handling.objects.aggregate(a=models.Min("completed_at"), b=models.Max("completed_at")),
        WorkOrder.objects.aggregate(a=models.Min("created_at"), b=models.Max("created_at")),
        Submission.objects.aggregate(a=models.Min("received_at"), b=models.Max("closed_at")),
        Submission.objects.aggregate(a=models.Max("received_at"), b=models.Min("closed_at")),
        SpotCheck.objects.aggregate(a=models.Min("called_at"), b=models.Max("called_at")),
    ) for m in (m["a"], m["b"]) if m is not None]
    if not moments:
        return None
    days = [rules.local_day(m) for m in moments]
    return min(days), max(days)
