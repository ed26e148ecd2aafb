"""导出 from the statistics screens: every dashboard table and every drill-down list as
XLSX or CSV, with the screen's own filters (period, dates, the chosen org's subtree).

The files are those of the export API (``stats.exports`` sheets, streamed by
``stats.api_exports._send``; formula cells neutralised, drill-down rows in keyset chunks
up to ``exports.EXPORT_MAX_ROWS``), and every download is audited
(``stats.downloads.export_recorded``). Parameters are validated and the figures computed
before a byte is sent: a bad request is a Chinese error page with its 4xx, no file and
no audit row. An export that needs the office's approval (a drill-down of ratings, or one
over ``HCP_EXPORT_APPROVAL_ROWS`` rows, asked by someone outside the office) takes the
approved request's number as ``approval`` (stats.approvals); without it the answer is the
page that files the request (stats.views.approvals).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_GET

from haochaping.accounts.scoping import Actor
from haochaping.core.bounds import parse_int
from haochaping.core.clientip import client_ip_or_none
from haochaping.core.errors import AppError, ValidationError
from haochaping.stats import downloads, drill_rows, exports
from haochaping.stats.api_exports import _send
from haochaping.stats.views import approvals as approval_views
from haochaping.stats.views.common import Filters, parse_filters, refused, viewer
from haochaping.stats.views.drill import FIGURE_LABELS, _key

FORMATS = ("xlsx", "csv")
# dashboard table → (group-by of stats.selectors.figures, file stem); each exports every
# group (the screen lists the top ones), all counts and figures
TABLES: dict[str, tuple[tuple[str, ...], str]] = {
    "totals": ((), "totals"), "trend": (("period",), "trend"),
    "levels": ((), "levels"), "channels": (("channel",), "channels"),
    "matters": (("matter",), "matters"), "windows": (("window",), "windows"),
    "participation": (("org",), "participation"), "regions": (("region",), "regions"),
}


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValidationError("stats.format", "不支持的导出格式（仅支持 XLSX、CSV）", "format")
    return fmt


def _query(filters: Filters, **extra: Any) -> dict[str, Any]:
    return {"period": filters.period.value, "start": filters.start, "end": filters.end,
            "scope": filters.org.pk if filters.org is not None else None,
            "region": filters.region.pk if filters.region is not None else None, **extra}


def _approval(request: HttpRequest) -> int | None:
    """The approved export request a download spends (stats.approvals), if it needs one."""
    return parse_int(request.GET.get("approval"), "approval", low=1, code="stats.approval")


def drill_query(filters: Filters, figure: str, key: dict[str, Any]) -> dict[str, Any]:
    """The parameters of the API's drill-down export, so one approval serves both."""
    return {"figure": figure, "start": filters.start, "end": filters.end,
            "scope": filters.org.pk if filters.org is not None else None,
            **filters.narrowing(key)}


def _refused(request: HttpRequest, exc: AppError, kind: str,
             query: dict[str, Any]) -> HttpResponseBase:
    """A refusal page; one that needs the office's approval offers the request form."""
    if exc.code == approval_views.NEEDED and query:
        return approval_views.needed(request, exc, kind, query)
    return refused(request, exc)


def _ip(request: HttpRequest) -> str | None:
    return client_ip_or_none(request)


def _prepare(request: HttpRequest, fmt: str) -> tuple[Actor, Filters, str]:
    actor = viewer(request)
    return actor, parse_filters(actor, request.GET), _format(fmt)


@login_required
@require_GET
def table_export(request: HttpRequest, table: str, fmt: str) -> HttpResponseBase:
    """One dashboard table, every group of it, as the dashboard computes it."""
    query: dict[str, Any] = {}
    try:
        actor, filters, fmt = _prepare(request, fmt)
        if table not in TABLES:
            raise ValidationError("stats.table", "不支持导出的统计表", "table")
        group_by, stem = TABLES[table]
        sheet, rows = exports.figures_export(
            filters.narrow(actor), group_by=group_by, period=filters.period,
            start=filters.start, end=filters.end, filters=filters.narrowing(),
            compare_previous=False)
        query = _query(filters, table=table, group_by=",".join(group_by))
        event = downloads.export_recorded(actor, kind="figures", fmt=fmt, rows=rows,
                                          ip=_ip(request), approval=_approval(request),
                                          query=query)
    except AppError as exc:
        return _refused(request, exc, "figures", query)
    return _send(sheet, fmt, f"{stem}-{filters.start}-{filters.end}", event)


@login_required
@require_GET
def drill_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """Every evaluation behind a rating count (the drill page's list, rater masked)."""
    query: dict[str, Any] = {}
    try:
        actor, filters, fmt = _prepare(request, fmt)
        figure, key = request.GET.get("figure", ""), _key(request.GET)
        if figure not in FIGURE_LABELS:
            raise ValidationError("stats.figure", "不支持下钻的指标", "figure")
        sheet, rows = exports.drilldown_export(
            filters.narrow(actor), figure=figure, start=filters.start, end=filters.end,
            key=filters.narrowing(key), max_rows=exports.EXPORT_MAX_ROWS[fmt])
        query = drill_query(filters, figure, key)
        event = downloads.export_recorded(actor, kind="drilldown", fmt=fmt, rows=rows,
                                          ip=_ip(request), query=query,
                                          approval=_approval(request))
    except AppError as exc:
        return _refused(request, exc, "drilldown", query)
    return _send(sheet, fmt, f"{figure}-{filters.start}-{filters.end}", event)


def _rows_export(request: HttpRequest, kind: str, fmt: str) -> HttpResponseBase:
    query: dict[str, Any] = {}
    try:
        actor, filters, fmt = _prepare(request, fmt)
        figure, key = request.GET.get("figure", ""), _key(request.GET)
        sheet, rows = exports.rows_export(
            filters.narrow(actor), kind=kind, figure=figure, start=filters.start,
            end=filters.end, key=filters.narrowing(key), max_rows=exports.EXPORT_MAX_ROWS[fmt])
        query = _query(filters, figure=figure, **key)
        event = downloads.export_recorded(actor, kind=kind, fmt=fmt, rows=rows,
                                          ip=_ip(request), approval=_approval(request),
                                          query=query)
    except AppError as exc:
        return _refused(request, exc, kind, query)
    return _send(sheet, fmt, f"{kind}-{figure}-{filters.start}-{filters.end}", event)


@login_required
@require_GET
def handlings_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    return _rows_export(request, drill_rows.HANDLINGS, fmt)


@login_required
@require_GET
def orders_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    return _rows_export(request, drill_rows.ORDERS, fmt)
