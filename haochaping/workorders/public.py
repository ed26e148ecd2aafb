"""The rater's page of a bad review's work order, ``/workorders/reply/<public_id>`` (the
link of the ``rectification_reply`` SMS): public, no login; the order's random public UUID
is the token. Shows the rated matter and date and, once released (after QA where the
policy requires it), the department's reply; the rater states once whether the outcome
satisfies them, and sees who reached their data for this order (谁查看了我的信息:
org, role, purpose; never a staff member's name). Personal data: the masked name only."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from haochaping.catalog.rules.calendar import local_day
from haochaping.core.errors import AppError, NotFound, ValidationError
from haochaping.evaluations.throttle import throttle
from haochaping.evaluations.views.common import client_ip, page
from haochaping.vault.selectors import accesses_of_rater
from haochaping.workorders.models import Reply, WorkOrder
from haochaping.workorders.rules import Kind, State
from haochaping.workorders.services import SYSTEM, workorder_satisfaction
from haochaping.workorders.services.relay import subject_of

TEMPLATE = "workorders/public/reply.html"
PARTIAL = "workorders/public/partials/reply.html"
ANSWERABLE = frozenset({State.REPLIED, State.CLOSED})


def _order(public_id: uuid.UUID) -> WorkOrder:
    order = (WorkOrder.objects.select_related("org", "evaluation__matter", "evaluation__rater")
             .filter(public_id=public_id, kind=Kind.BAD_REVIEW.value,
                     evaluation__isnull=False).first())
    if order is None:
        raise NotFound("workorder.not_found", "未找到该整改反馈，请核对短信中的链接")
    return order


def _context(order: WorkOrder) -> dict[str, Any]:
    evaluation = order.evaluation
    assert evaluation is not None  # _order filters on it
    reply = (Reply.objects.filter(order=order, visible_to_rater_at__isnull=False)
             .order_by("-visible_to_rater_at", "-pk").first())
    state = State(order.status)
    return {"order": order, "state": state, "matter": evaluation.matter.name,
            "rated_on": local_day(evaluation.created_at),
            "rater_name": evaluation.rater.name_masked, "org_name": order.org.name,
            "reply": reply,
            "replied_on": local_day(reply.visible_to_rater_at) if reply and
            reply.visible_to_rater_at else None,
            "can_answer": reply is not None and order.satisfied is None
            and state in ANSWERABLE,
            # 谁查看了我的信息: the link proves this order only, so its accesses only
            # (and the phone invitation of its handling).
            "accesses": accesses_of_rater(evaluation.rater_id, subjects=[
                subject_of(order), f"handling:{order.handling_id}"])}


def _satisfied_of(request: HttpRequest) -> bool:
    choice = request.POST.get("satisfied")
    if choice not in ("1", "0"):
        raise ValidationError("workorder.invalid_flag", "请选择“满意”或“不满意”", "satisfied")
    return choice == "1"


@require_http_methods(["GET", "POST"])
def reply_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    try:
        throttle("ip", client_ip(request) or "-")
        order = _order(public_id)
    except AppError as exc:
        return page(request, "workorders/public/error.html", {"error": exc}, status=exc.status)
    status, error, answered = 200, None, False
    if request.method == "POST":
        try:
            throttle("rater", f"wo{order.pk}")
            workorder_satisfaction(actor=SYSTEM, order=order, satisfied=_satisfied_of(request),
                                   channel="rater_page")
            order.refresh_from_db()
            answered = True
        except AppError as exc:
            status, error = exc.status, exc
    context = {**_context(order), "error": error, "answered": answered}
    return page(request, TEMPLATE, context, partial=PARTIAL, status=status)
