"""指标下钻: the evaluations behind a rating count, masked rater only, in keyset pages.

The total is the figure from the rollups; the rows come from ``stats.drill`` (the same
exclusions; bad reviews read the partial index), a page at a time after or before a
cursor, so every row can be reached however many there are. A bad review links on to its
work order when the viewer may open that order (``workorders.selectors.visible_orders``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from haochaping.accounts.scoping import Actor
from haochaping.core.errors import AppError, ValidationError
from haochaping.evaluations.models import Evaluation
from haochaping.stats import drill, labels, selectors
from haochaping.stats.views.common import Filters, parse_filters, refused, viewer
from haochaping.workorders.selectors import visible_orders

PAGE_SIZE = drill.PAGE_SIZE
FIGURE_LABELS = drill.FIGURE_LABELS
KEY_LABELS = {"org": "部门", "hall": "大厅", "window": "窗口", "staff": "工作人员",
              "matter": "事项", "channel": "渠道", "matter_category": "事项类型"}
TEXT_KEYS = ("channel", "matter_category")


def _key(query: QueryDict) -> dict[str, Any]:
    key: dict[str, Any] = {}
    for name in KEY_LABELS:
        raw = query.get(name, "").strip()
        if not raw:
            continue
        if name not in TEXT_KEYS and not raw.isdigit():
            raise ValidationError("stats.filter", f"筛选条件“{KEY_LABELS[name]}”无效", name)
        key[name] = raw if name in TEXT_KEYS else int(raw)
    return key


def drill_context(actor: Actor, filters: Filters, figure: str, key: dict[str, Any],
                  after: str | None = None, before: str | None = None) -> dict[str, Any]:
    if figure not in FIGURE_LABELS:
        raise ValidationError("stats.figure", "不支持下钻的指标", "figure")
    who = filters.narrow(actor)
    found = drill.page(who, figure=figure, start=filters.start, end=filters.end, key=key,
                       after=after or None, before=before or None, size=PAGE_SIZE)
    rows = selectors.figures(who, group_by=(), period=filters.period, start=filters.start,
                             end=filters.end, compare_previous=False, filters=key)
    total = getattr(rows[0].counts, figure) if rows else 0
    by_pk = {e.pk: e for e in Evaluation.objects.filter(pk__in=found.ids).select_related(
        "org", "matter", "window__hall", "rater")}
    base = filters.params(figure=figure, **key)
    orders = _orders_of(actor, found.ids)
    return {"figure": figure, "figure_label": FIGURE_LABELS[figure], "total": total,
            "filters": filters, "key": [(KEY_LABELS[k], v) for k, v in key.items()],
            "rows": [_row(by_pk[i], orders.get(i)) for i in found.ids if i in by_pk],
            "first_url": f"?{base}" if found.previous else None,
            "previous_url": f"?{filters.params(figure=figure, before=found.previous, **key)}"
            if found.previous else None,
            "next_url": f"?{filters.params(figure=figure, after=found.next, **key)}"
            if found.next else None}


@dataclass(frozen=True)
class DrillRow:
    evaluation: Evaluation
    window: str  # named with its hall (stats.labels); "" without a window
    order_pk: int | None  # its work order (one per rating), if the viewer may open it


def _row(evaluation: Evaluation, order_pk: int | None) -> DrillRow:
    window = labels.window_name(evaluation.window) if evaluation.window else ""
    return DrillRow(evaluation, window, order_pk)


def _orders_of(actor: Actor, evaluation_ids: list[int]) -> dict[int, int]:
    """evaluation id → its work order, for the orders ``actor`` may open."""
    return dict(visible_orders(actor).filter(evaluation_id__in=evaluation_ids)
                .values_list("evaluation_id", "pk"))


@login_required
@require_GET
def drill_page(request: HttpRequest) -> HttpResponse:
    try:
        actor = viewer(request)
        filters = parse_filters(actor, request.GET)
        context = drill_context(actor, filters, request.GET.get("figure", ""),
                                _key(request.GET), request.GET.get("after"),
                                request.GET.get("before"))
    except AppError as exc:
        return refused(request, exc)
    return render(request, "stats/drill.html", context)
