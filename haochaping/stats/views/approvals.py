"""导出审批 screens (stats.approvals): an export that needs the office's approval answers
with a page that says why and files a request with a purpose; the asker follows their
requests under 我的导出申请 and downloads once an approval is usable (once, within its
validity); the office decides the pending requests of its subtree under 导出审批,
approving or refusing with a reason. Every step is audited by the services.

The refused export's kind, query and path travel to the request form signed
(``django.core.signing``), so the request is for exactly the export that was refused.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from haochaping.catalog.models import Org
from haochaping.core.bounds import parse_int
from haochaping.core.errors import AppError, PermissionDenied, ValidationError
from haochaping.stats import approvals, drill_rows
from haochaping.stats import export_rules as rules
from haochaping.stats.drill import FIGURE_LABELS
from haochaping.stats.models import ExportApproval
from haochaping.stats.views.common import refused, viewer

SALT = "stats.export_request"
TOKEN_AGE = 24 * 3600  # seconds a refused export's request form stays valid
NEEDED = "export.approval_required"
LIST_SIZE = 100


def download_path(request: HttpRequest) -> str:
    """The screen export's path and query, without any ``approval``."""
    params = [(k, v) for k, values in request.GET.lists() for v in values if k != "approval"]
    return f"{request.path}?{urlencode(params)}" if params else request.path


def needed(request: HttpRequest, exc: AppError, kind: str,
           query: dict[str, Any]) -> HttpResponse:
    """The page a refused export answers with (403): why, and the request form."""
    token = signing.dumps({"kind": kind, "query": rules.canonical(query),
                           "path": download_path(request)}, salt=SALT)
    return render(request, "stats/export_needed.html", {
        "error": exc, "kind": rules.KIND_LABELS.get(kind, kind), "token": token,
        "params": _params(rules.canonical(query), kind),
        "hours": settings.HCP_EXPORT_APPROVAL_HOURS, "limit": approvals.PURPOSE_MAX},
        status=exc.status)


def _params(query: dict[str, str], kind: str = "") -> list[tuple[str, str]]:
    """The export's parameters as the approver reads them: in a fixed order, figures and
    org ids by their names."""
    names: dict[str, str] = {}
    ids = [int(query[k]) for k in ("scope", "org") if query.get(k, "").isdigit()]
    if ids:
        names = {str(pk): name for pk, name in Org.objects.filter(pk__in=ids)
                 .values_list("pk", "name")}
    figures = drill_rows.figures_of(kind) if kind in (drill_rows.HANDLINGS,
                                                      drill_rows.ORDERS) else FIGURE_LABELS
    order = list(rules.QUERY_LABELS)

    def shown(key: str, value: str) -> str:
        if key in ("scope", "org"):
            return names.get(value, value)
        return figures.get(value, value) if key == "figure" else value

    return [(rules.QUERY_LABELS.get(k, k), shown(k, v)) for k, v in sorted(
        query.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))]


def _rows(rows: list[ExportApproval]) -> list[dict[str, Any]]:
    now = timezone.now()
    return [{"row": r, "kind": rules.KIND_LABELS.get(r.kind, r.kind),
             "params": _params(r.query, r.kind), "state": (state := rules.state(r.status,
                                                                         r.expires_at, now)),
             "state_label": rules.STATE_LABELS[state],
             "download": f"{r.path}{'&' if '?' in r.path else '?'}approval={r.pk}"
             if state == "usable" and r.path else ""} for r in rows]


@login_required
@require_POST
def request_create(request: HttpRequest) -> HttpResponse:
    """File the request of a refused export (its signed kind, query and path)."""
    try:
        actor = viewer(request)
        try:
            export = signing.loads(request.POST.get("token", ""), salt=SALT,
                                   max_age=TOKEN_AGE)
        except signing.BadSignature:
            raise ValidationError(
                "export.request_expired", "导出申请页面已失效，请重新点击导出后再提交申请",
                "token") from None
        approvals.export_request(actor=actor, kind=export["kind"], query=export["query"],
                                 purpose=request.POST.get("purpose", ""), path=export["path"])
    except AppError as exc:
        return refused(request, exc)
    return redirect(f"{reverse('stats:export_requests')}?filed=1")


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """我的导出申请: the asker's own requests, with the download of a usable approval."""
    try:
        actor = viewer(request)
    except AppError as exc:
        return refused(request, exc)
    own = approvals.approvals_for(actor).filter(
        requester_key=approvals.requester_key(actor))[:LIST_SIZE]
    return render(request, "stats/export_requests.html", {
        "rows": _rows(list(own)), "filed": request.GET.get("filed") == "1",
        "may_approve": approvals.may_approve(actor),
        "hours": settings.HCP_EXPORT_APPROVAL_HOURS})


def _approver(request: HttpRequest) -> Any:
    actor = viewer(request)
    if not approvals.may_approve(actor):
        raise PermissionDenied("forbidden.role", "只有政务服务管理机构可以审批导出")
    return actor


@login_required
@require_GET
def approvals_page(request: HttpRequest) -> HttpResponse:
    """导出审批: the pending requests of the office's subtree, then the latest decided."""
    try:
        actor = _approver(request)
    except AppError as exc:
        return refused(request, exc)
    decided = request.GET.get("decided", "")
    return render(request, "stats/export_approvals.html", _approvals_context(
        actor, decided_pk=int(decided) if decided.isascii() and decided.isdigit()
        and len(decided) < 19 else None))


def _approvals_context(actor: Any, **extra: Any) -> dict[str, Any]:
    rows = approvals.approvals_for(actor)
    pending = list(rows.filter(status=rules.Status.PENDING)[:LIST_SIZE])
    decided = list(rows.exclude(status=rules.Status.PENDING)[:LIST_SIZE // 2])
    return {"pending": [{**r, "own": approvals.is_own(actor, r["row"])} for r in _rows(pending)],
            "decided": _rows(decided), "hours": settings.HCP_EXPORT_APPROVAL_HOURS,
            "limit": approvals.NOTE_MAX, **extra}


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actor = _approver(request)
        row = approvals.approval_get(actor, pk)
        approve = parse_int(request.POST.get("approve"), "approve", low=0, high=1,
                            code="export.decision")
        if approve is None:
            raise ValidationError("export.decision", "请选择批准或驳回", "approve")
        approvals.export_decide(actor=actor, approval=row, approve=bool(approve),
                                note=request.POST.get("note", ""))
    except AppError as exc:
        try:
            context = _approvals_context(_approver(request), error=exc, failed=pk)
        except AppError:
            return refused(request, exc)
        return render(request, "stats/export_approvals.html", context, status=exc.status)
    return redirect(f"{reverse('stats:export_approvals')}?decided={pk}")
