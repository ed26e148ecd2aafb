"""诉求件下钻: the items (or spot checks) behind a complaint count of the dashboard, in
pages; only reference, kind, status, attributed org and dates (seed 004 §10: content and
submitter are never shown here). The total is the figure from the roll-ups."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from haochaping.accounts.scoping import Actor
from haochaping.complaints.rules.causes import Cause
from haochaping.complaints.rules.kinds import SubmissionKind
from haochaping.core.bounds import is_key, parse_int
from haochaping.core.errors import AppError, ValidationError
from haochaping.core.listing import ListQuery
from haochaping.stats import drill_items, labels, selectors
from haochaping.stats.views import drill_search as search
from haochaping.stats.views.common import Filters, parse_filters, refused, viewer

PAGE_SIZE = 50
KEY_LABELS = {"org": "部门", "matter": "事项", "kind": "类型", "cause": "问题类别"}
# the roll-ups' own drill keys (the attributed org is the roll-ups' org)
FIGURE_KEYS = {"org": "org", "matter": "matter"}


def _key(query: QueryDict) -> dict[str, Any]:
    key: dict[str, Any] = {}
    for name in ("org", "matter"):
        raw = query.get(name, "").strip()
        if raw:
            if not is_key(raw):
                raise ValidationError("stats.filter", f"筛选条件“{KEY_LABELS[name]}”无效", name)
            key[name] = int(raw)
    kind = query.get("kind", "").strip()
    if kind:
        if kind not in {k.value for k in SubmissionKind}:
            raise ValidationError("stats.filter", "筛选条件“类型”无效", "kind")
        key["kind"] = kind
    cause = query.get("cause", "").strip()
    if cause:
        if cause not in {c.value for c in Cause}:
            raise ValidationError("stats.filter", "筛选条件“问题类别”无效", "cause")
        key["cause"] = cause
    return key


def items_context(actor: Actor, filters: Filters, figure: str, key: dict[str, Any],
                  page: int = 1, lq: ListQuery | None = None) -> dict[str, Any]:
    """A page of the items behind ``figure``; a search (受理编号) narrows them and the
    count shown is then of the found rows, the roll-up figure left out."""
    lq = lq or ListQuery(sort="time", descending=True)
    who = filters.narrow(actor)
    rows = drill_items.item_rows(who, figure=figure, start=filters.start, end=filters.end,
                                 key=key)
    kind = search.SPOTS if figure.startswith("spot_") else search.ITEMS
    rows = search.searched(rows, lq, kind)
    if not lq.descending:
        rows = rows.reverse()
    listed = Paginator(rows, PAGE_SIZE).get_page(page)
    counted = selectors.figures(who, group_by=(), period=filters.period, start=filters.start,
                                end=filters.end, compare_previous=False,
                                filters={FIGURE_KEYS[k]: v for k, v in key.items()
                                         if k in FIGURE_KEYS})
    total = (getattr(counted[0].counts, figure) if counted and "kind" not in key
             and "cause" not in key and figure in drill_items.ITEM_FIGURES
             and not search.searching(lq) else None)
    names = labels.names("org", {r[drill_items.src.ORG] for r in listed})
    kept = search.extra(lq)

    def params(**more: Any) -> str:
        return filters.params(figure=figure, **key, **{**kept, **more})

    base = params()
    return {"figure": figure, "figure_label": drill_items.ITEM_FIGURE_LABELS[figure],
            "spots": figure.startswith("spot_"), "filters": filters, "total": total,
            "count": listed.paginator.count,
            "key": [(KEY_LABELS[k], Cause(v).label if k == "cause" else v)
                    for k, v in key.items()],
            "rows": [drill_items.shown(r, names) for r in listed],
            "previous_url": f"?{base}&page={listed.number - 1}" if listed.has_previous()
            else None,
            "next_url": f"?{base}&page={listed.number + 1}" if listed.has_next() else None,
            "found": listed.paginator.count,
            **search.search_context(lq, kind, lq.filters, params)}


@login_required
@require_http_methods(["GET", "POST"])  # the search form is a POST (core.listing)
def items_page(request: HttpRequest) -> HttpResponse:
    try:
        actor = viewer(request)
        filters = parse_filters(actor, request.GET)
        moved = search.search_redirect(request)
        if moved is not None:
            return moved
        page = parse_int(request.GET.get("page"), "page", low=1, code="stats.page") or 1
        context = items_context(actor, filters, request.GET.get("figure", ""),
                                _key(request.GET), page, search.list_query(request, search.ITEMS))
    except AppError as exc:
        return refused(request, exc)
    return render(request, "stats/drill_items.html", context)
