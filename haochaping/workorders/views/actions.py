"""One POST per step, each calling the same service wrapper as the API. A refusal
renders the Chinese message and the stable code over the unchanged order; the services
write nothing when they refuse (rectification with files: the uploads and the record
commit together or not at all)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from haochaping.accounts.scoping import Actor
from haochaping.core.errors import AppError, NotFound
from haochaping.core.htmx import htmx
from haochaping.workorders import selectors, services
from haochaping.workorders.models import WorkOrder
from haochaping.workorders.request_rules import REPLY_PARTS
from haochaping.workorders.views import console
from haochaping.workorders.views.common import (
    day,
    flag,
    moment,
    number,
    reader,
    refused,
)
from haochaping.workorders.views.workbench import detail_context

Step = Callable[[Actor, WorkOrder, HttpRequest], object]


def _files(actor: Actor, order: WorkOrder, request: HttpRequest) -> list[int]:
    return [services.attachment_add(actor=actor, order=order, upload=upload).pk
            for upload in request.FILES.getlist("files")]


def _rectify(actor: Actor, order: WorkOrder, request: HttpRequest) -> object:
    post = request.POST
    with transaction.atomic():
        return services.workorder_rectify(
            actor=actor, order=order, measures=post.get("measures", ""),
            result=post.get("result", ""), attachment_ids=_files(actor, order, request))


def _appeal(actor: Actor, order: WorkOrder, request: HttpRequest) -> object:
    post = request.POST
    with transaction.atomic():
        return services.workorder_appeal_file(
            actor=actor, order=order, grounds=post.get("grounds", ""),
            evidence=post.get("evidence", ""), attachment_ids=_files(actor, order, request))


def _redispatch(actor: Actor, order: WorkOrder, request: HttpRequest) -> object:
    org_id = number(request.POST, "org_id")
    return services.workorder_redispatch(actor=actor, order=order, org_id=org_id or 0,
                                         note=request.POST.get("note", ""))


STEPS: dict[str, Step] = {
    "sign": lambda a, o, r: services.workorder_sign(
        actor=a, order=o, complexity=r.POST.get("complexity") or None),
    "callback": lambda a, o, r: services.workorder_callback(
        actor=a, order=o, method=r.POST.get("method", ""),
        reached=r.POST.get("method") == "relay" or flag(r.POST, "reached", "是否联系上评价人"),
        summary=r.POST.get("summary", ""), called_at=moment(r.POST, "called_at")),
    "verify": lambda a, o, r: services.workorder_verify(
        actor=a, order=o, findings=r.POST.get("findings", "")),
    "rectify": _rectify,
    "reply": lambda a, o, r: services.workorder_reply(
        actor=a, order=o, text=r.POST.get("text", ""),
        parts={key: r.POST.get(key, "") for key, _ in REPLY_PARTS}),
    "head_review": lambda a, o, r: services.workorder_head_review(
        actor=a, order=o, approved=flag(r.POST, "approved", "审阅结论"),
        reasons=r.POST.get("reasons", "")),
    "review": lambda a, o, r: services.workorder_review(
        actor=a, order=o, passed=flag(r.POST, "passed", "质检结论"),
        reasons=r.POST.get("reasons", "")),
    "extension_request": lambda a, o, r: services.workorder_extension_request(
        actor=a, order=o, new_due_date=day(r.POST, "new_due_date"),
        reason=r.POST.get("reason", "")),
    "extension_decide": lambda a, o, r: services.workorder_extension_decide(
        actor=a, order=o, grant=flag(r.POST, "grant", "审批结论"),
        note=r.POST.get("note", "")),
    "appeal_file": _appeal,
    "appeal_rule": lambda a, o, r: services.workorder_appeal_rule(
        actor=a, order=o, upheld=flag(r.POST, "upheld", "复核结论"),
        reason=r.POST.get("reason", "")),
    "redispatch": _redispatch,
    "typical": lambda a, o, r: services.workorder_mark_typical(
        actor=a, order=o, typical=flag(r.POST, "typical", "典型案例"),
        public_text=r.POST.get("public_text", "")),
}


# The confirmation shown after each step (Django messages; the order page shows it).
DONE: dict[str, str] = {
    "sign": "已签收", "callback": "已记录回访", "verify": "已记录核实", "rectify": "已记录整改",
    "reply": "答复已提交", "head_review": "审阅结论已提交", "review": "质检结论已提交",
    "extension_request": "延期申请已提交", "extension_decide": "延期审批已提交",
    "appeal_file": "申诉已提出", "appeal_rule": "申诉复核结论已提交", "redispatch": "已改派",
    "typical": "典型案例设置已保存",
}


def _confirm(request: HttpRequest, pk: int, step: str) -> None:
    order = WorkOrder.objects.filter(pk=pk).only("kind", "created_at", "status").first()
    if order is None:
        return
    messages.success(request, f"{DONE.get(step, '操作已完成')}：工单 {order.number} 现为"
                              f"“{order.get_status_display()}”。")


def _respond(request: HttpRequest, pk: int, error: AppError | None) -> HttpResponse:
    """Re-render where the form was: a console tab, or the order page (fragment for
    htmx); a refusal keeps its status so nothing reads it as success."""
    status = error.status if error else 200
    tab = request.POST.get("console_tab", "")
    actor = reader(request)
    if tab in console.TABS:
        context = console.tab_context(actor, tab, request.POST.get("page"))
        context.update(error=error, done=None if error else pk)
        name = ("workorders/partials/console_panel.html" if htmx(request)
                else "workorders/console.html")
        return render(request, name, context, status=status)
    if error is None and not htmx(request):
        return redirect("workorders:order", pk=pk)
    try:
        context = detail_context(actor, pk)
    except NotFound as gone:  # redispatched out of the actor's subtree
        return refused(request, error or gone)
    context["error"] = error
    name = "workorders/partials/order_body.html" if htmx(request) else "workorders/order.html"
    return render(request, name, context, status=status)


@login_required
@require_POST
def act(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    try:
        actor = reader(request)
        order = selectors.get_order(actor, pk)
    except AppError as exc:
        return refused(request, exc)
    handler = STEPS.get(step)
    if handler is None:
        return refused(request, NotFound("workorder.unknown_action", "未知的工单操作"))
    try:
        handler(actor, order, request)
    except AppError as exc:
        return _respond(request, pk, exc)
    if request.POST.get("console_tab", "") not in console.TABS:
        _confirm(request, pk, step)
    return _respond(request, pk, None)


@login_required
@require_POST
def reveal_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """The rater's name and phone, with the purpose typed in: explicit, once per order and
    person, audited (services.order_reveal: the office; the handler where the policy
    allows it or the relay failed), shown in a partial only when the service allows it."""
    try:
        actor = reader(request)
        identity = services.order_reveal(actor=actor, order=selectors.get_order(actor, pk),
                                         purpose=request.POST.get("purpose", ""))
    except AppError as exc:
        return render(request, "workorders/partials/phone.html", {"error": exc},
                      status=exc.status)
    return render(request, "workorders/partials/phone.html", {"identity": identity})


@login_required
@require_POST
def relay(request: HttpRequest, pk: int) -> HttpResponse:
    """通过隐私号回访: the virtual number and its expiry, never the rater's number."""
    try:
        actor = reader(request)
        order = selectors.get_order(actor, pk)
        binding = services.callback_relay(actor=actor, order=order)
    except AppError as exc:
        return render(request, "workorders/partials/relay.html", {"error": exc},
                      status=exc.status)
    return render(request, "workorders/partials/relay.html",
                  {"binding": binding, "order": order,
                   "rater_masked": order.evaluation.rater if order.evaluation else None})
