"""指标下钻: the evaluations behind a rating count, masked rater only, paginated.

The total is the figure from the rollups; the rows come from ``selectors.drilldown``
(the same exclusions; bad reviews read the partial index)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from haochaping.accounts.scoping import Actor
from haochaping.core.errors import AppError, ValidationError
from haochaping.evaluations.models import Evaluation
from haochaping.stats import selectors
from haochaping.stats.views.common import Filters, parse_filters, refused, viewer

PAGE_SIZE = 20
FIGURE_LABELS = {"real_ratings": "有效评价", "satisfied": "满意评价", "bad_reviews": "差评",
                 "default_ratings": "默认评价", "invalidated": "无效评价",
                 "superseded": "被替代评价"}
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


def _page(raw: str | None, pages: int) -> int:
    number = int(raw) if raw and raw.isdigit() else 1
    return max(1, min(number, max(pages, 1)))


def drill_context(actor: Actor, filters: Filters, figure: str, key: dict[str, Any],
                  page: str | None = None) -> dict[str, Any]:
    if figure not in FIGURE_LABELS:
        raise ValidationError("stats.figure", "不支持下钻的指标", "figure")
    who = filters.narrow(actor)
    rows = selectors.figures(who, group_by=(), period=filters.period, start=filters.start,
                             end=filters.end, compare_previous=False, filters=key)
    total = getattr(rows[0].counts, figure) if rows else 0
    listed = min(total, selectors.DRILL_LIMIT)
    pages = max(1, -(-listed // PAGE_SIZE))
    number = _page(page, pages)
    ids = selectors.drilldown(who, figure=figure, start=filters.start, end=filters.end,
                              key=key, limit=min(number * PAGE_SIZE, selectors.DRILL_LIMIT))
    ids = ids[(number - 1) * PAGE_SIZE:]
    found = {e.pk: e for e in Evaluation.objects.filter(pk__in=ids).select_related(
        "org", "matter", "window", "rater")}
    return {"figure": figure, "figure_label": FIGURE_LABELS[figure], "total": total,
            "capped": total > selectors.DRILL_LIMIT, "filters": filters,
            "key": [(KEY_LABELS[k], v) for k, v in key.items()],
            "evaluations": [found[i] for i in ids if i in found], "number": number,
            "pages": pages, "page_range": range(1, pages + 1),
            "base": filters.params(figure=figure, **key)}


@login_required
@require_GET
def drill_page(request: HttpRequest) -> HttpResponse:
    try:
        actor = viewer(request)
        filters = parse_filters(actor, request.GET)
        context = drill_context(actor, filters, request.GET.get("figure", ""),
                                _key(request.GET), request.GET.get("page"))
    except AppError as exc:
        return refused(request, exc)
    return render(request, "stats/drill.html", context)
