"""指标下钻: the evaluations behind a rating count (masked rater only), the handlings
behind a handling count and the work orders behind a work-order count or the live
overdue count (no rater field at all), in keyset pages, each with XLSX and CSV export
links (``stats.views.exports``).

The total is the figure from the rollups; the rows come from ``stats.drill`` (the same
exclusions; bad reviews read the partial index), a page at a time after or before a
cursor, so every row can be reached however many there are. A bad review links on to its
work order when the viewer may open that order (``workorders.selectors.visible_orders``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from haochaping.accounts.scoping import Actor
from haochaping.core.bounds import is_key
from haochaping.core.errors import AppError, ValidationError
from haochaping.core.listing import ListQuery
from haochaping.evaluations.models import LEVEL_CHOICES, Evaluation
from haochaping.handlings.models import Handling
from haochaping.stats import drill, drill_rows, labels, selectors
from haochaping.stats.views import drill_search as search
from haochaping.stats.views.common import Filters, parse_filters, refused, viewer
from haochaping.workorders.models import OPEN_VALUES, Callback, WorkOrder
from haochaping.workorders.selectors import visible_orders

PAGE_SIZE = drill.PAGE_SIZE
FIGURE_LABELS = drill.FIGURE_LABELS
# the list's own keys in the query string (the chosen region is one of the Filters)
KEY_LABELS = {"org": "部门", "own_region": "区划本级", "hall": "大厅", "window": "窗口",
              "staff": "工作人员", "matter": "事项", "channel": "渠道",
              "matter_category": "事项类型"}
TEXT_KEYS = ("channel", "matter_category")


def _key(query: QueryDict) -> dict[str, Any]:
    key: dict[str, Any] = {}
    for name in KEY_LABELS:
        raw = query.get(name, "").strip()
        if not raw:
            continue
        if name not in TEXT_KEYS and not is_key(raw):
            raise ValidationError("stats.filter", f"筛选条件“{KEY_LABELS[name]}”无效", name)
        key[name] = raw if name in TEXT_KEYS else int(raw)
    return key


def drill_context(actor: Actor, filters: Filters, figure: str, key: dict[str, Any],
                  after: str | None = None, before: str | None = None,
                  lq: ListQuery | None = None) -> dict[str, Any]:
    if figure not in FIGURE_LABELS:
        raise ValidationError("stats.figure", "不支持下钻的指标", "figure")
    lq = lq or ListQuery(sort="time", descending=True)
    who, where = filters.narrow(actor), filters.narrowing(key)
    qs = search.searched(drill.rows(who, figure=figure, start=filters.start,
                                    end=filters.end, key=where), lq, search.EVALUATIONS)
    found = drill.keyset(qs, field=search.sort_field(lq), after=after or None,
                         before=before or None, size=PAGE_SIZE, ascending=not lq.descending)
    rows = selectors.figures(who, group_by=(), period=filters.period, start=filters.start,
                             end=filters.end, compare_previous=False, filters=where)
    total = getattr(rows[0].counts, figure) if rows else 0
    by_pk = {e.pk: e for e in Evaluation.objects.filter(pk__in=found.ids).select_related(
        "org", "matter", "window__hall", "rater")}
    orders = _orders_of(actor, found.ids)
    return {"kind": "evaluations", "figure": figure, "figure_label": FIGURE_LABELS[figure],
            "total": total,
            "filters": filters, "key": [(KEY_LABELS[k], v) for k, v in key.items()],
            "rows": [_row(by_pk[i], orders.get(i)) for i in found.ids if i in by_pk],
            **_paging(filters, figure, key, lq, found, qs),
            "exports": _exports("stats:drill_export", filters.params(figure=figure, **key))}


def _paging(filters: Filters, figure: str, key: dict[str, Any], lq: ListQuery,
            found: drill.Page, qs: Any) -> dict[str, Any]:
    """The pager's links, the search form and sort toggle, and the found count while
    searching (the roll-up total does not apply to a searched list)."""
    kept = search.extra(lq)

    def params(**more: Any) -> str:
        return filters.params(figure=figure, **key, **{**kept, **more})

    return {"first_url": f"?{params()}" if found.previous else None,
            "previous_url": f"?{params(before=found.previous)}" if found.previous else None,
            "next_url": f"?{params(after=found.next)}" if found.next else None,
            "found": qs.count() if search.searching(lq) else None,
            **search.search_context(lq, _kind_of(qs), lq.filters, params)}


def _kind_of(qs: Any) -> str:
    return {Evaluation: search.EVALUATIONS, Handling: search.HANDLINGS}.get(
        qs.model, search.ORDERS)


def _exports(name: str, params: str) -> list[tuple[str, str]]:
    """The XLSX and CSV download links of a list (the same filters, every row)."""
    return [(fmt.upper(), f"{reverse(name, args=[fmt])}?{params}") for fmt in ("xlsx", "csv")]


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
@require_http_methods(["GET", "POST"])  # the search form is a POST (phone, core.listing)
def drill_page(request: HttpRequest) -> HttpResponse:
    try:
        actor = viewer(request)
        filters = parse_filters(actor, request.GET)
        moved = search.search_redirect(request)
        if moved is not None:
            return moved
        context = drill_context(actor, filters, request.GET.get("figure", ""),
                                _key(request.GET), request.GET.get("after"),
                                request.GET.get("before"),
                                search.list_query(request, search.EVALUATIONS))
    except AppError as exc:
        return refused(request, exc)
    return render(request, "stats/drill.html", context)


# --- handlings and work orders ------------------------------------------------------------

KINDS = {drill_rows.HANDLINGS: ("stats:drill_handlings", "stats:drill_handlings_export"),
         drill_rows.ORDERS: ("stats:drill_orders", "stats:drill_orders_export")}
LEVELS = dict(LEVEL_CHOICES)


def rows_context(actor: Actor, filters: Filters, kind: str, figure: str,
                 key: dict[str, Any], after: str | None = None,
                 before: str | None = None, lq: ListQuery | None = None) -> dict[str, Any]:
    """A page of handlings or work orders behind ``figure``: validated (422) before any
    read; the total is the rollup count (``drill_rows.total_from``) or, for the overdue
    list and 未回访, the count of the rows."""
    figures = drill_rows.figures_of(kind)
    if figure not in figures:
        raise ValidationError("stats.figure", "不支持下钻的指标", "figure")
    lq = lq or ListQuery(sort="time", descending=True)
    who, where = filters.narrow(actor), filters.narrowing(key)
    qs = search.searched(drill_rows.rows_of(kind, who, figure=figure, start=filters.start,
                                            end=filters.end, key=where), lq, kind)
    listed = drill_rows.Listed(drill.keyset(
        qs, field=drill_rows.field_of(kind), after=after or None, before=before or None,
        size=PAGE_SIZE, ascending=not lq.descending), qs)
    total = _total(who, filters, kind, figure, where, listed)
    ids = listed.page.ids
    rows = _handling_rows(ids) if kind == drill_rows.HANDLINGS else _order_rows(actor, ids)
    page_url, export_url = KINDS[kind]
    base = filters.params(figure=figure, **key)
    return {
        "kind": kind, "figure": figure, "figure_label": figures[figure], "total": total,
        "filters": filters, "key": [(KEY_LABELS[k], v) for k, v in key.items()],
        "live": figure == drill_rows.LIVE, "rows": rows,
        "related": [(name, label, f"{reverse(page_url)}?{filters.params(figure=name, **key)}")
                    for name, label in figures.items()],
        **_paging(filters, figure, key, lq, listed.page, qs),
        "exports": _exports(export_url, base),
    }


def _total(who: Actor, filters: Filters, kind: str, figure: str, key: dict[str, Any],
           listed: drill_rows.Listed) -> int:
    if not drill_rows.has_total(kind, figure):
        return listed.qs.count()
    rows = selectors.figures(who, group_by=(), period=filters.period, start=filters.start,
                             end=filters.end, compare_previous=False, filters=key)
    return (drill_rows.total_from(rows[0].counts, kind, figure) or 0) if rows else 0


@dataclass(frozen=True)
class HandlingRow:
    handling: Handling
    window: str
    rating: str  # 非常满意 … / 默认评价 / 未评价


def _handling_rows(ids: list[int]) -> list[HandlingRow]:
    found = {h.pk: h for h in Handling.objects.filter(pk__in=ids).select_related(
        "org", "matter", "window__hall")}
    ratings = {h: ("默认评价" if default else LEVELS.get(level, str(level)))
               for h, level, default in Evaluation.objects.filter(
                   handling_id__in=ids, is_current=True, stage__isnull=True,
                   invalidated_at__isnull=True)
               .values_list("handling_id", "level", "is_default")}
    return [HandlingRow(h, labels.window_name(h.window) if h.window is not None else "",
                        ratings.get(i, "未评价"))
            for i in ids if (h := found.get(i)) is not None]


@dataclass(frozen=True)
class OrderRow:
    order: WorkOrder
    matter: str
    called_back: bool
    overdue: bool  # past a duty deadline (ever, or its rectification deadline now)
    linked: bool  # the viewer may open the order


def _order_rows(actor: Actor, ids: list[int]) -> list[OrderRow]:
    qs = (WorkOrder.objects.filter(pk__in=ids)
          .select_related("org", "handling__matter", "evaluation__matter")
          .annotate(has_callback=Exists(Callback.objects.filter(order=OuterRef("pk")))))
    by_pk = {o.pk: o for o in qs}
    visible = set(visible_orders(actor).filter(pk__in=ids).values_list("pk", flat=True))
    now = timezone.now()
    rows = []
    for i in ids:
        order = by_pk.get(i)
        if order is None:
            continue
        source = order.handling or order.evaluation
        matter = source.matter.name if source is not None else ""
        late = order.overdue_at is not None or (
            order.status in OPEN_VALUES and order.rectify_due_at is not None
            and order.rectify_due_at < now)
        rows.append(OrderRow(order, matter, bool(order.has_callback), late, i in visible))
    return rows


def _rows_page(request: HttpRequest, kind: str) -> HttpResponse:
    try:
        actor = viewer(request)
        filters = parse_filters(actor, request.GET)
        moved = search.search_redirect(request)
        if moved is not None:
            return moved
        context = rows_context(actor, filters, kind, request.GET.get("figure", ""),
                               _key(request.GET), request.GET.get("after"),
                               request.GET.get("before"), search.list_query(request, kind))
    except AppError as exc:
        return refused(request, exc)
    return render(request, f"stats/drill_{kind}.html", context)


@login_required
@require_http_methods(["GET", "POST"])  # the search form is a POST (phone, core.listing)
def handlings_page(request: HttpRequest) -> HttpResponse:
    return _rows_page(request, drill_rows.HANDLINGS)


@login_required
@require_http_methods(["GET", "POST"])  # the search form is a POST (phone, core.listing)
def orders_page(request: HttpRequest) -> HttpResponse:
    return _rows_page(request, drill_rows.ORDERS)
