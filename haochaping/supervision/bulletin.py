"""The 通报 of a plan (issue 15): a printable page and an XLSX through the one export
writer (``core.sheets``), audited. The office may preview it; a department reads it once
published, with its own subtree's rows only (``selectors.visible_items``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from haochaping.audit.services import audit_record
from haochaping.core.errors import AppError
from haochaping.core.sheets import Provenance, Sheet, xlsx_bytes
from haochaping.supervision import rules, selectors
from haochaping.supervision.models import CheckPlan
from haochaping.supervision.rules import Finding
from haochaping.supervision.views import reader, refused, rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIGURE_HEADERS = ["部门/窗口", "核查评价数", "评价人确认", "评价人否认", "未能核实", "回访一致率",
                  "核查工单数", "整改属实", "整改未落实", "虚报整改", "整改核实率"]
FINDING_HEADERS = ["部门", "窗口", "类别", "对象", "核查方式", "核查日期", "核查结论", "核查情况",
                   "处理结果"]


def _object(item: Any) -> str:
    if item.evaluation is not None:
        return f"评价 {str(item.evaluation.public_id)[:8]}（{item.evaluation.level} 级）"
    return f"工单 {item.order.number}"


def outcome_text(outcome: dict[str, Any]) -> str:
    if outcome.get("reopened") == "already":
        return "工单已在重新办理中"
    if "reopened" in outcome:
        return "工单已退回重新整改"
    if "invalidated" in outcome:
        return "评价已认定无效"
    return "—"


def _content(actor: Any, plan: CheckPlan) -> dict[str, Any]:
    items = [i for i in selectors.visible_items(actor, plan) if hasattr(i, "finding")]
    problems = [i for i in items if Finding(i.finding.finding) in rules.CONSEQUENCE]
    return {
        "plan": plan, "by_org": rows(selectors.figures_by_org(actor, plan)),
        "by_window": rows(selectors.figures_by_window(actor, plan)),
        "total": rows({"合计": selectors.figures_total(actor, plan)})[0],
        "problems": [{"item": i, "object": _object(i),
                      "outcome": outcome_text(i.finding.outcome)}
                     for i in problems],
        "generated_at": timezone.now(),
    }


def _plan(request: HttpRequest, pk: int) -> tuple[Any, CheckPlan]:
    actor = reader(request)
    return actor, selectors.plan_get(actor, pk)


@login_required
@require_GET
def page(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actor, plan = _plan(request, pk)
    except AppError as exc:
        return refused(request, exc)
    return render(request, "supervision/bulletin.html", _content(actor, plan))


def _figure_cells(row: dict[str, Any]) -> list[Any]:
    f = row["f"]
    return [row["key"], f.checked_ratings, f.confirmed, f.denied, f.unreached,
            row["consistency"], f.checked_orders, f.verified, f.not_done, f.false_report,
            row["verification"]]


@login_required
@require_GET
def sheet(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actor, plan = _plan(request, pk)
    except AppError as exc:
        return refused(request, exc)
    content = _content(actor, plan)
    event = audit_record(action="supervision.bulletin_export", actor=actor.user,
                         actor_label=actor.label, obj=plan,
                         after={"published": plan.published_at is not None,
                                "scope": actor.scope_path})
    figures = [*content["by_org"], content["total"]]
    findings = [[i["item"].org.name, i["item"].window.name if i["item"].window else "",
                 rules.Stratum(i["item"].stratum).label, i["object"],
                 i["item"].finding.get_method_display(), i["item"].finding.checked_on,
                 i["item"].finding.get_finding_display(), i["item"].finding.note,
                 i["outcome"]] for i in content["problems"]]
    body = xlsx_bytes(
        [Sheet("按部门", FIGURE_HEADERS, [_figure_cells(r) for r in figures]),
         Sheet("按窗口", FIGURE_HEADERS, [_figure_cells(r) for r in content["by_window"]]),
         Sheet("问题清单", FINDING_HEADERS, findings)],
        Provenance(by=actor.label, at=event.at, title=f"核查抽查通报 {plan.title}",
                   scope=plan.scope.name, reference=str(event.pk)))
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="hecha-{plan.pk}-{event.pk}.xlsx"'
    return response
