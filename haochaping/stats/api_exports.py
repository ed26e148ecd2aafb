"""Exports of statistics tables (XLSX, CSV) and the archived monthly reports
(scope ``stats:read``; mounted at ``/stats/exports``).

Parameters are those of the figures and drill-down API (stats.api), validated and the
figures computed before a byte is sent: bad input is a 422 envelope and no file.
"""

from __future__ import annotations

import tempfile
from typing import Any, Literal

import pydantic
from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from ninja import Field, Query, Router, Schema

from haochaping.accounts.auth import api_auth, require_scope
from haochaping.audit.models import AuditEvent
from haochaping.core.bounds import Id
from haochaping.core.clientip import client_ip_or_none
from haochaping.core.errors import NotFound, ValidationError
from haochaping.stats import approvals, downloads, exports, reports
from haochaping.stats.api import DrillQuery, FiguresQuery, _filters, scoped
from haochaping.stats.exports import CONTENT_TYPES, Sheet
from haochaping.stats.models import ExportApproval

router = Router(tags=["stats"], auth=api_auth)


def _send(sheet: Sheet, fmt: str, stem: str, event: AuditEvent) -> HttpResponseBase:
    """The file of an audited export (``event``): the XLSX carries who exported it, when
    and the query in its properties; both names carry the time and the audit record."""
    provenance = downloads.provenance_of(event, sheet.title)
    filename = f"{stem}-{provenance.stamp}.{fmt}"
    response: HttpResponseBase
    if fmt == "csv":
        response = StreamingHttpResponse(exports.csv_chunks(sheet),
                                         content_type=CONTENT_TYPES["csv"])
    else:
        # Written row by row to a temporary file (write-only mode), then streamed from it.
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        exports.write_xlsx([sheet], spool, provenance)
        spool.seek(0)
        response = FileResponse(spool, content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _ip(request: HttpRequest) -> str | None:
    return client_ip_or_none(request)


def _figures_query(q: FiguresQuery) -> dict[str, Any]:
    group_by = tuple(g for g in q.group_by.split(",") if g)
    return {"group_by": ",".join(group_by), "period": q.period.value, "start": q.start,
            "end": q.end, "compare_previous": q.compare_previous, "scope": q.scope,
            **_filters(q)}


def _drill_query(q: DrillQuery) -> dict[str, Any]:
    return {"figure": q.figure, "start": q.start, "end": q.end, "scope": q.scope,
            **_filters(q)}


def _figures(request: HttpRequest, q: FiguresQuery, fmt: str,
             approval: int | None) -> HttpResponseBase:
    actor = scoped(require_scope(request, "stats:read"), q)
    group_by = tuple(g for g in q.group_by.split(",") if g)
    sheet, rows = exports.figures_export(actor, group_by=group_by, period=q.period,
                                         start=q.start, end=q.end, filters=_filters(q),
                                         compare_previous=q.compare_previous)
    event = downloads.export_recorded(actor, kind="figures", fmt=fmt, rows=rows,
                                      ip=_ip(request), query=_figures_query(q),
                                      approval=approval)
    return _send(sheet, fmt, f"figures-{q.start}-{q.end}", event)


def _drilldown(request: HttpRequest, q: DrillQuery, fmt: str,
               approval: int | None) -> HttpResponseBase:
    """All rows, streamed in keyset chunks, up to ``exports.EXPORT_MAX_ROWS[fmt]``."""
    actor = scoped(require_scope(request, "stats:read"), q)
    sheet, rows = exports.drilldown_export(actor, figure=q.figure, start=q.start, end=q.end,
                                           key=_filters(q),
                                           max_rows=exports.EXPORT_MAX_ROWS[fmt])
    event = downloads.export_recorded(actor, kind="drilldown", fmt=fmt, rows=rows,
                                      ip=_ip(request), query=_drill_query(q),
                                      approval=approval)
    return _send(sheet, fmt, f"{q.figure}-{q.start}-{q.end}", event)


APPROVAL = Query(None, description="获批的导出申请编号（含评价人信息或超过审批条数的导出"
                                   "须经政务服务管理机构审批）")


@router.get("/figures.xlsx", summary="导出统计指标（XLSX）")
def figures_xlsx(request: HttpRequest, q: Query[FiguresQuery],
                 approval: Id | None = APPROVAL
                 ) -> HttpResponseBase:
    return _figures(request, q, "xlsx", approval)


@router.get("/figures.csv", summary="导出统计指标（CSV）")
def figures_csv(request: HttpRequest, q: Query[FiguresQuery],
                approval: Id | None = APPROVAL
                ) -> HttpResponseBase:
    return _figures(request, q, "csv", approval)


@router.get("/drilldown.xlsx", summary="导出下钻评价明细（XLSX，评价人脱敏，须审批）")
def drilldown_xlsx(request: HttpRequest, q: Query[DrillQuery],
                   approval: Id | None = APPROVAL
                   ) -> HttpResponseBase:
    return _drilldown(request, q, "xlsx", approval)


@router.get("/drilldown.csv", summary="导出下钻评价明细（CSV，评价人脱敏，须审批）")
def drilldown_csv(request: HttpRequest, q: Query[DrillQuery],
                  approval: Id | None = APPROVAL
                  ) -> HttpResponseBase:
    return _drilldown(request, q, "csv", approval)


class ExportRequestIn(Schema):
    kind: Literal["figures", "drilldown"]
    # The export's query parameters, as it will be called (checked like the export's).
    query: dict[str, str | Id | bool] = Field(max_length=30)
    purpose: str = Field(min_length=1, max_length=200)


class ExportDecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=200)


def _approval_out(row: ExportApproval) -> dict[str, Any]:
    return {"id": row.pk, "kind": row.kind, "query": row.query, "purpose": row.purpose,
            "requester": row.requester_label, "status": row.status,
            "created_at": row.created_at, "decided_at": row.decided_at, "note": row.note,
            "expires_at": row.expires_at}


@router.post("/requests", response={201: dict[str, Any]}, summary="提交导出申请（待审批）")
def export_request_create(request: HttpRequest, body: ExportRequestIn) -> Any:
    actor = require_scope(request, "stats:read")
    model = FiguresQuery if body.kind == "figures" else DrillQuery
    try:
        q = model.model_validate(body.query)
    except pydantic.ValidationError as exc:
        raise ValidationError("export.query_invalid", "导出条件无效", "query") from exc
    query = _figures_query(q) if isinstance(q, FiguresQuery) else _drill_query(q)
    row = approvals.export_request(actor=actor, kind=body.kind, query=query,
                                   purpose=body.purpose)
    return 201, _approval_out(row)


@router.get("/requests", summary="导出申请（本人的；审批机构含管辖范围内的）")
def export_request_list(request: HttpRequest) -> list[dict[str, Any]]:
    actor = require_scope(request, "stats:read")
    return [_approval_out(r) for r in approvals.approvals_for(actor)[:200]]


@router.post("/requests/{pk}/decide", summary="审批导出申请（政务服务管理机构）")
def export_request_decide(request: HttpRequest, pk: Id, body: ExportDecisionIn) -> Any:
    actor = require_scope(request, "stats:read")
    row = approvals.export_decide(actor=actor, approval=approvals.approval_get(actor, pk),
                                  approve=body.approve, note=body.note)
    return _approval_out(row)


def _describe(report: Any) -> dict[str, Any]:
    base = f"/api/v1/stats/exports/reports/{report.pk}"
    return {"id": report.pk, "period": f"{report.period:%Y-%m}",
            "scope_org": report.scope_org_id,
            "scope_name": report.scope_org.name if report.scope_org else "全部",
            "generated_at": report.generated_at.isoformat(),
            "generated_by": report.generated_by,
            "xlsx": {"url": f"{base}/report.xlsx", "sha256": report.xlsx_sha256},
            "html": {"url": f"{base}/report.html", "sha256": report.html_sha256}}


@router.get("/reports", summary="月度报告归档（含 SHA-256 摘要）")
def report_list(request: HttpRequest) -> dict[str, Any]:
    actor = require_scope(request, "stats:read")
    return {"reports": [_describe(r) for r in reports.reports_for(actor)[:240]]}


@router.get("/reports/{pk}", summary="月度报告（含 SHA-256 摘要与核验结果）")
def report_detail(request: HttpRequest, pk: Id) -> dict[str, Any]:
    actor = require_scope(request, "stats:read")
    report = reports.report_get(actor, pk)
    check = reports.monthly_report_verify(report)
    return {**_describe(report), "verified": check.ok}


def _download(request: HttpRequest, pk: Id, kind: str) -> HttpResponseBase:
    actor = require_scope(request, "stats:read")
    report = reports.report_get(actor, pk)
    file = report.xlsx if kind == "xlsx" else report.html
    digest = report.xlsx_sha256 if kind == "xlsx" else report.html_sha256
    content_type = CONTENT_TYPES["xlsx"] if kind == "xlsx" else "text/html; charset=utf-8"
    try:
        handle = file.storage.open(file.name, "rb")
    except FileNotFoundError as exc:  # stats_report_verify reports the missing file
        raise NotFound("stats.report_file_missing", "报告文件缺失") from exc
    downloads.report_download_recorded(actor, report, fmt=kind, ip=_ip(request))
    response = FileResponse(handle, content_type=content_type,
                            as_attachment=True,
                            filename=f"report-{report.period:%Y-%m}-{pk}.{kind}")
    response["X-Content-SHA256"] = digest
    return response


@router.get("/reports/{pk}/report.xlsx", summary="下载月度报告（XLSX）")
def report_xlsx(request: HttpRequest, pk: Id) -> HttpResponseBase:
    return _download(request, pk, "xlsx")


@router.get("/reports/{pk}/report.html", summary="下载月度报告（可打印 HTML）")
def report_html(request: HttpRequest, pk: Id) -> HttpResponseBase:
    return _download(request, pk, "html")
