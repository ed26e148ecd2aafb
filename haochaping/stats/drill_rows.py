"""Drill-downs to handlings (办件) and bad-review work orders (差评工单): the raw rows
behind the handling and work-order counts of the rollups, and the live list of overdue
orders behind the dashboard's 逾期未整改工单.

The rows are filtered exactly as ``stats.rollup`` counts them (``handling_source``,
``workorder_source``), over the same Shanghai days and keys, scoped to the actor's org
subtree, and paged with the keyset of ``stats.drill`` (``drill.keyset``): handlings newest
completion first on ``(completed_at, pk)``, work orders newest first on
``(created_at, pk)``. A figure's total is the rollup count where one exists
(``HANDLING_TOTALS``, ``ORDER_TOTALS``); the overdue list and 未回访 have none and are
counted on the rows. No rater field is read here: rater identity never reaches these
lists or their exports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from haochaping.accounts.scoping import Actor, scope
from haochaping.core.errors import ValidationError
from haochaping.evaluations.models import Evaluation
from haochaping.handlings.models import Handling
from haochaping.stats import drill, regions, rules
from haochaping.stats.rollup.sources import BAD_REVIEW_ORDERS
from haochaping.workorders.models import Appeal, Callback, WorkOrder
from haochaping.workorders.selectors import QueueFilters, queue_for

HANDLINGS = "handlings"
ORDERS = "orders"
HANDLING_FIELD = "completed_at"  # keyset and day of a handling (its completion)
ORDER_FIELD = "created_at"  # keyset and day of a work order (its opening)

_RATING = Evaluation.objects.filter(handling=OuterRef("pk"), is_current=True,
                                    stage__isnull=True, invalidated_at__isnull=True)

# figure → label; the rows are those stats.rollup.handling_source counts
HANDLING_FIGURES: dict[str, str] = {
    "completed": "办结办件", "rated_real": "有主动评价的办结办件",
    "rated_default": "默认评价的办结办件", "unrated": "未评价的办结办件",
}
# figure → the rollup counts whose sum is its total (sign, count)
HANDLING_TOTALS: dict[str, tuple[tuple[int, str], ...]] = {
    "completed": ((1, "completed"),), "rated_real": ((1, "rated_real"),),
    "rated_default": ((1, "rated_default"),),
    "unrated": ((1, "completed"), (-1, "rated_real"), (-1, "rated_default")),
}
ORDER_FIGURES: dict[str, str] = {
    "orders": "差评工单", "due": "应整改工单", "closed": "已办结工单",
    "closed_on_time": "按期办结工单", "unclosed": "未办结工单",
    "called_back": "已回访工单", "not_called_back": "未回访工单",
    "appealed": "已申诉工单", "appeal_upheld": "申诉成立工单", "voided": "已撤销工单",
    "overdue": "逾期未整改工单",
}
ORDER_TOTALS: dict[str, tuple[tuple[int, str], ...]] = {
    "orders": ((1, "orders"),), "due": ((1, "orders"), (-1, "voided")),
    "closed": ((1, "closed"),), "closed_on_time": ((1, "closed_on_time"),),
    "unclosed": ((1, "orders"), (-1, "voided"), (-1, "closed")),
    "called_back": ((1, "called_back"),), "appealed": ((1, "appealed"),),
    "appeal_upheld": ((1, "appeal_upheld"),), "voided": ((1, "voided"),),
}
LIVE = "overdue"  # not a period figure: the open orders past their deadline now

# the drill keys each kind of row carries (a work order's hall, window, staff and matter
# are its handling's, as stats.rollup._keys reads them)
HANDLING_KEYS = {"org": "org_id", "hall": "hall_id", "window": "window_id",
                 "staff": "staff_id", "matter": "matter_id",
                 "matter_category": "matter__category", "region": "org__region__path",
                 "own_region": "org__region_id"}
ORDER_KEYS = {"org": "org_id", "hall": "handling__hall_id",
              "window": "handling__window_id", "staff": "handling__staff_id",
              "matter": "handling__matter_id", "matter_category": "handling__matter__category",
              "region": "org__region__path", "own_region": "org__region_id"}


def _has_callback() -> Exists:
    return Exists(Callback.objects.filter(order=OuterRef("pk")))


def _handling_figure(figure: str) -> Callable[[QuerySet[Handling]], QuerySet[Handling]]:
    real, default = _RATING.filter(is_default=False), _RATING.filter(is_default=True)
    return {
        "completed": lambda qs: qs,
        "rated_real": lambda qs: qs.filter(Exists(real)),
        "rated_default": lambda qs: qs.filter(Exists(default)),
        "unrated": lambda qs: qs.filter(~Exists(_RATING)),
    }[figure]


def _order_figure(figure: str) -> Callable[[QuerySet[WorkOrder]], QuerySet[WorkOrder]]:
    appeals = Appeal.objects.filter(order=OuterRef("pk"))
    return {
        "orders": lambda qs: qs,
        "due": lambda qs: qs.exclude(status="voided"),
        "closed": lambda qs: qs.filter(status="closed"),
        "closed_on_time": lambda qs: qs.filter(status="closed", overdue_at__isnull=True),
        "unclosed": lambda qs: qs.exclude(status__in=["closed", "voided"]),
        "called_back": lambda qs: qs.filter(_has_callback()),
        "not_called_back": lambda qs: qs.exclude(status="voided").filter(~_has_callback()),
        "appealed": lambda qs: qs.filter(Exists(appeals)),
        "appeal_upheld": lambda qs: qs.filter(Exists(appeals.filter(ruling="upheld"))),
        "voided": lambda qs: qs.filter(status="voided"),
    }[figure]


def _checked(actor: Actor, figure: str, figures: Mapping[str, str],
             key: Mapping[str, Any] | None, keys: Mapping[str, str], start: date,
             end: date) -> dict[str, Any]:
    drill._check(actor)
    if figure not in figures:
        raise ValidationError("stats.figure", "不支持下钻的指标", "figure")
    found = dict(key or {})
    if any(k not in keys for k in found):
        raise ValidationError("stats.filter", "不支持的筛选条件", "key")
    if start > end:
        raise ValidationError("stats.range", "开始日期不能晚于结束日期", "start")
    return regions.lookups(found, keys)


def _between(field: str, start: date, end: date) -> Q:
    first, _ = rules.day_bounds(start)
    _, stop = rules.day_bounds(end)
    return Q(**{f"{field}__gte": first, f"{field}__lt": stop})


def handling_rows(actor: Actor, *, figure: str, start: date, end: date,
                  key: Mapping[str, Any] | None = None) -> QuerySet[Handling]:
    """The completed handlings behind ``figure`` whose completion falls on the Shanghai
    days ``start`` … ``end``, unordered; validated before any read (422)."""
    where = _checked(actor, figure, HANDLING_FIGURES, key, HANDLING_KEYS, start, end)
    qs = scope(Handling.objects.all(), actor).filter(
        _between(HANDLING_FIELD, start, end), status="completed", **where)
    return _handling_figure(figure)(qs)


def order_rows(actor: Actor, *, figure: str, start: date, end: date,
               key: Mapping[str, Any] | None = None,
               now: datetime | None = None) -> QuerySet[WorkOrder]:
    """The work orders behind ``figure``: opened on the days ``start`` … ``end`` (as the
    rollups count them), or for ``overdue`` exactly the orders the dashboard counts now
    (``workorders.selectors.queue_for(overdue=True)``: open, past the rectification
    deadline, visible to the actor), whatever the dates."""
    where = _checked(actor, figure, ORDER_FIGURES, key, ORDER_KEYS, start, end)
    if figure == LIVE:
        return queue_for(actor, QueueFilters(overdue=True), now=now).filter(
            **where).order_by()
    qs = scope(WorkOrder.objects.all(), actor, "org_path").filter(
        _between(ORDER_FIELD, start, end), **where).filter(kind=BAD_REVIEW_ORDERS)
    return _order_figure(figure)(qs)


def rows_of(kind: str, actor: Actor, **kw: Any) -> QuerySet[Any]:
    return handling_rows(actor, **kw) if kind == HANDLINGS else order_rows(actor, **kw)


def field_of(kind: str) -> str:
    return HANDLING_FIELD if kind == HANDLINGS else ORDER_FIELD


def figures_of(kind: str) -> dict[str, str]:
    return HANDLING_FIGURES if kind == HANDLINGS else ORDER_FIGURES


def has_total(kind: str, figure: str) -> bool:
    return figure in (HANDLING_TOTALS if kind == HANDLINGS else ORDER_TOTALS)


def total_from(counts: rules.Counts, kind: str, figure: str) -> int | None:
    """The rollup total of ``figure`` (None: it has none, count the rows)."""
    terms = (HANDLING_TOTALS if kind == HANDLINGS else ORDER_TOTALS).get(figure)
    if terms is None:
        return None
    return sum(sign * getattr(counts, name) for sign, name in terms)


@dataclass(frozen=True)
class Listed:
    page: drill.Page
    qs: QuerySet[Any]


def page(kind: str, actor: Actor, *, figure: str, start: date, end: date,
         key: Mapping[str, Any] | None = None, after: str | None = None,
         before: str | None = None, size: int = drill.PAGE_SIZE) -> Listed:
    qs = rows_of(kind, actor, figure=figure, start=start, end=end, key=key)
    return Listed(drill.keyset(qs, field=field_of(kind), after=after, before=before,
                               size=size), qs)
