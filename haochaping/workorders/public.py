"""The rater's page of a bad review's work order, ``/workorders/reply/<public_id>`` (the
link of the ``rectification_reply`` SMS): public, no login; the order's random public UUID
is the token. Shows the rated matter and date and, once released (after QA where the
policy requires it), the department's reply; the rater states once whether the outcome
satisfies them (不满意 asks why and sends the order back to the office's QA:
``workorder_dissent``), and sees who reached their data for this order (谁查看了我的信息:
org, role, purpose; never a staff member's name). Personal data: the masked name only.

``/workorders/follow/<token>``: the link of the thank-you page right after a 差评
(evaluations.followup); the order is opened by a task moments later, so this finds it by
its rating and goes to its page, or says it is being forwarded."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from haochaping.catalog.rules.calendar import local_day
from haochaping.core.errors import AppError, NotFound, ValidationError
from haochaping.evaluations.followup import follow_evaluation_id, legal_deadline, reference_of
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.throttle import throttle
from haochaping.evaluations.views.common import client_ip, page
from haochaping.vault.selectors import accesses_of_rater
from haochaping.workorders.models import Reply, WorkOrder
from haochaping.workorders.rules import Kind, State
from haochaping.workorders.services import SYSTEM, workorder_dissent, workorder_satisfaction
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
            "reference": reference_of(evaluation), "steps": progress(order),
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


def progress(order: WorkOrder | None, received: Any = None) -> list[dict[str, Any]]:
    """The order's progress as the rater sees it (a stepper): received, being handled,
    answered, closed, each with its day once reached; the current one marked."""
    if order is None:
        stamps = [("已受理", received), ("部门办理中", None), ("已反馈", None), ("已办结", None)]
    else:
        back = order.status in (State.RETURNED, State.APPEALING)  # with the department
        stamps = [("已受理", order.dispatched_at), ("部门办理中", order.signed_at),
                  ("已反馈", None if back else order.replied_at),
                  ("已办结", order.closed_at if order.status == State.CLOSED else None)]
    reached = [at is not None for _label, at in stamps]
    last = max((i for i, done in enumerate(reached) if done), default=0)
    return [{"label": label, "at": at if reached[i] else None, "done": i < last,
             "now": i == last} for i, (label, at) in enumerate(stamps)]


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
    status, error, answered, asking = 200, None, False, False
    if request.method == "POST":
        try:
            throttle("rater", f"wo{order.pk}")
            satisfied = _satisfied_of(request)
            reason = request.POST.get("reason")
            if satisfied:
                workorder_satisfaction(actor=SYSTEM, order=order, satisfied=True,
                                       channel="rater_page")
            elif reason is None:
                asking = True  # 不满意: first ask why (nothing recorded yet)
            else:
                workorder_dissent(actor=SYSTEM, order=order, reason=reason)
            order.refresh_from_db()
            answered = not asking
        except AppError as exc:
            status, error = exc.status, exc
            asking = request.POST.get("reason") is not None
    context = {**_context(order), "error": error, "answered": answered, "asking": asking,
               "reason": request.POST.get("reason", "")}
    return page(request, TEMPLATE, context, partial=PARTIAL, status=status)


@require_GET
def follow_page(request: HttpRequest, token: str) -> HttpResponse:
    """Where a 差评 stands, from the thank-you page's link: the order's own page once the
    order exists, else 已受理 with the reference and the deadline."""
    try:
        throttle("ip", client_ip(request) or "-")
        evaluation_id = follow_evaluation_id(token)
        evaluation = (Evaluation.objects.select_related("matter", "org")
                      .filter(pk=evaluation_id or 0).first())
        if evaluation is None:
            raise NotFound("workorder.not_found", "未找到该评价的办理进度，请核对链接")
    except AppError as exc:
        return page(request, "workorders/public/error.html", {"error": exc}, status=exc.status)
    # by its handling (and stage): a later 差评 of the same service moves the order on
    order = (WorkOrder.objects.filter(kind=Kind.BAD_REVIEW.value,
                                      handling_id=evaluation.handling_id,
                                      stage_id=evaluation.stage_id)
             .order_by("-pk").only("public_id").first())
    if order is not None:
        return HttpResponseRedirect(reverse("workorder_reply", args=[order.public_id]))
    due, limit = legal_deadline(evaluation)
    return page(request, "workorders/public/follow.html", {
        "reference": reference_of(evaluation), "matter": evaluation.matter.name,
        "org_name": evaluation.org.name, "due": due, "limit": limit,
        "steps": progress(None, received=evaluation.created_at)})
