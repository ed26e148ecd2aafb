"""Statistics API: figures from rollups and drill-downs to rows (scope ``stats:read``)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from haochaping.accounts.auth import api_auth, require_scope
from haochaping.core.errors import ValidationError
from haochaping.stats import rules, selectors

router = Router(tags=["stats"], auth=api_auth)


class FilterQuery(Schema):
    """The period and the optional narrowing filters shared by figures and drill-downs."""

    start: date
    end: date
    org: int | None = None
    hall: int | None = None
    window: int | None = None
    staff: int | None = None
    matter: int | None = None
    matter_category: str | None = None
    channel: str | None = None


class FiguresQuery(FilterQuery):
    group_by: str = "org"  # comma-separated dimensions
    period: rules.Period = rules.Period.MONTH
    compare_previous: bool = True


class DrillQuery(FilterQuery):
    figure: str
    limit: int = selectors.DRILL_LIMIT


FILTER_NAMES = ("org", "hall", "window", "staff", "matter", "matter_category", "channel")


def _filters(q: Schema) -> dict[str, Any]:
    return {k: getattr(q, k) for k in FILTER_NAMES if getattr(q, k) is not None}


def _num(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 6)


def _figures(values: dict[rules.Figure, Fraction | None]) -> dict[str, float | None]:
    return {figure.value: _num(v) for figure, v in values.items()}


def _counts(c: rules.Counts | None) -> dict[str, int] | None:
    return None if c is None else {n: getattr(c, n) for n in rules.COUNT_FIELDS}


@router.get("/figures", summary="统计指标（读取汇总表）")
def figures(request: HttpRequest, q: Query[FiguresQuery]) -> dict[str, Any]:
    actor = require_scope(request, "stats:read")
    group_by = tuple(g for g in q.group_by.split(",") if g)
    rows = selectors.figures(actor, group_by=group_by, period=q.period, start=q.start,
                             end=q.end, compare_previous=q.compare_previous,
                             filters=_filters(q))
    return {"group_by": list(group_by), "period": q.period.value, "rows": [
        {"key": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in r.key.items()},
         "counts": _counts(r.counts), "figures": _figures(r.figures),
         "previous_counts": _counts(r.previous),
         "previous_figures": _figures(r.previous_figures) if r.previous else None}
        for r in rows]}


@router.get("/drilldown", summary="指标下钻：评价记录编号")
def drilldown(request: HttpRequest, q: Query[DrillQuery]) -> dict[str, Any]:
    actor = require_scope(request, "stats:read")
    if not 1 <= q.limit <= selectors.DRILL_LIMIT:
        raise ValidationError("stats.limit", "条数须在 1 至 1000 之间", "limit")
    ids = selectors.drilldown(actor, figure=q.figure, start=q.start, end=q.end,
                              key=_filters(q), limit=q.limit)
    return {"figure": q.figure, "evaluation_ids": ids}
