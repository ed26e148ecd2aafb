"""Statistics API: figures from rollups and drill-downs to rows (scope ``stats:read``)."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Annotated, Any, Literal

import orjson
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from haochaping.accounts import rules as access
from haochaping.accounts.auth import api_auth, require_scope
from haochaping.accounts.scoping import Actor
from haochaping.catalog.models import Org
from haochaping.core.bounds import Day, Id
from haochaping.core.errors import NotFound, ValidationError
from haochaping.stats import drill, regions, rules, selectors
from haochaping.stats.stages import rating_figures, stage_figures

router = Router(tags=["stats"], auth=api_auth)


class FilterQuery(Schema):
    """The period and the optional narrowing filters shared by figures and drill-downs.
    ``scope`` narrows to an org's subtree (the org and every org below it) inside the
    caller's own, as the dashboard's scope selector does; ``org`` is that one org alone.
    ``region`` is a region and every region below it (the orgs sitting in them);
    ``own_region`` the orgs of that region alone (本级)."""

    start: Day
    end: Day
    scope: Id | None = None
    org: Id | None = None
    region: Id | None = None
    own_region: Id | None = None
    hall: Id | None = None
    window: Id | None = None
    staff: Id | None = None
    matter: Id | None = None
    matter_category: str | None = None
    channel: str | None = None


class FiguresQuery(FilterQuery):
    group_by: str = "org"  # comma-separated dimensions
    period: rules.Period = rules.Period.MONTH
    compare_previous: bool = True
    # "columns": one header and a list per group (no previous period) — for big answers
    layout: Literal["rows", "columns"] = "rows"
    fields: str = ""  # layout=columns: comma-separated counts and figures (default: all)


class DrillQuery(FilterQuery):
    figure: str
    stage: str | None = None  # the ratings of one stage (环节); "done": the handling itself


class DrillPageQuery(DrillQuery):
    limit: Annotated[int, Field(ge=1, le=drill.MAX_PAGE)] = drill.MAX_PAGE
    after: str | None = None  # the ``next`` cursor of the previous page


FILTER_NAMES = ("org", "region", "own_region", "hall", "window", "staff", "matter",
                "matter_category", "channel")


def _filters(q: Schema) -> dict[str, Any]:
    return {k: getattr(q, k) for k in FILTER_NAMES if getattr(q, k) is not None}


def scoped(actor: Actor, q: FilterQuery) -> Actor:
    """``actor`` confined to the subtree of ``q.scope``; an org outside the actor's own
    subtree is answered as unknown (404 ``stats.scope``), nothing about it is told."""
    if q.scope is None:
        return actor
    path = Org.objects.filter(pk=q.scope).values_list("path", flat=True).first()
    if path is None or not access.in_subtree(actor.scope_path, path):
        raise NotFound("stats.scope", "机构不存在或不在管辖范围内", "scope")
    return dataclasses.replace(actor, scope_path=path)


def _figures(values: selectors.Figures) -> dict[str, float | None]:
    # floats() is float(Fraction) without the Fractions (a year of org × month: 36k rows)
    return {figure.value: None if v is None else round(v, 6)
            for figure, v in values.floats().items()}


def _counts(c: rules.Counts | None) -> dict[str, int] | None:
    return None if c is None else {n: getattr(c, n) for n in rules.COUNT_FIELDS}


@router.get("/figures", summary="统计指标（读取汇总表）")
def figures(request: HttpRequest, q: Query[FiguresQuery]) -> Any:
    actor = scoped(require_scope(request, "stats:read"), q)
    group_by = tuple(g for g in q.group_by.split(",") if g)
    if q.layout == "columns":
        return _table(actor, group_by, q)
    rows = selectors.figures(actor, group_by=group_by, period=q.period, start=q.start,
                             end=q.end, compare_previous=q.compare_previous,
                             filters=_filters(q))
    return {"group_by": list(group_by), "period": q.period.value,
            **_region_base(actor, group_by, q), "rows": [
        {"key": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in r.key.items()},
         "counts": _counts(r.counts), "figures": _figures(r.figures),
         "previous_counts": _counts(r.previous),
         "previous_figures": _figures(selectors.Figures(r.previous)) if r.previous else None}
        for r in rows]}


def _region_base(actor: Actor, group_by: tuple[str, ...], q: FilterQuery) -> dict[str, Any]:
    """Grouped by region: ``region_base``, the region whose row (if any) counts its own
    orgs only (本级; drill it down with ``own_region``), every other row a child of it
    with its whole subtree (``region``)."""
    if "region" not in group_by:
        return {}
    return {"region_base": regions.level(actor, _filters(q)).base_id}


def _table(actor: Any, group_by: tuple[str, ...], q: FiguresQuery) -> HttpResponse:
    """``layout=columns``: the rows as lists under one header, serialised by orjson (a
    year of org × month is 36,000 rows of 28 values)."""
    if q.compare_previous:
        raise ValidationError("stats.layout", "按列输出不含上期对比，请设置 compare_previous=false",
                              "compare_previous")
    table = selectors.figure_table(actor, group_by=group_by, period=q.period, start=q.start,
                                   end=q.end, filters=_filters(q),
                                   fields=tuple(f for f in q.fields.split(",") if f))
    head = orjson.dumps({"group_by": list(group_by), "period": q.period.value,
                         **_region_base(actor, group_by, q), "columns": table.header})
    return HttpResponse(head[:-1] + b',"rows":' + table.rows_json + b"}",
                        content_type="application/json")


@router.get("/drilldown", summary="指标下钻：评价记录编号（按游标分页）")
def drilldown(request: HttpRequest, q: Query[DrillPageQuery]) -> dict[str, Any]:
    """Newest first; pass ``next`` back as ``after`` for the following page (null on the
    last page). There is no cap on how far one can page."""
    actor = scoped(require_scope(request, "stats:read"), q)
    key = {**_filters(q), **({drill.STAGE_KEY: q.stage} if q.stage else {})}
    found = drill.page(actor, figure=q.figure, start=q.start, end=q.end, key=key,
                       after=q.after, size=q.limit)
    return {"figure": q.figure, "evaluation_ids": found.ids, "next": found.next}



def _stage_row(stage: str, name: str, counts: rules.Counts) -> dict[str, Any]:
    return {"stage": stage, "name": name, "counts": _counts(counts), "figures": {
        f.value: None if v is None else round(v, 6)
        for f, v in rating_figures(counts).items()}}


@router.get("/stages", summary="按环节统计评价（读取评价记录）")
def stages(request: HttpRequest, q: Query[FilterQuery]) -> dict[str, Any]:
    """Rating counts, 满意率, 差评率 and 平均分 of each stage (环节) rated in the period;
    ``done`` (办结) is the handling as a whole; ``total`` sums the rows."""
    actor = scoped(require_scope(request, "stats:read"), q)
    rows = stage_figures(actor, start=q.start, end=q.end, key=_filters(q))
    return {"rows": [_stage_row(r.stage.value, r.name, r.counts) for r in rows],
            "total": _stage_row("total", "合计", rules.total(r.counts for r in rows))}
