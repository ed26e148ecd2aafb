"""The reply steps of workorders.rules.TRANSITIONS: the department's answer (``reply``, or
``submit`` to its head for a request when the policy asks for approval), the head's
approval (审阅: ``head_approve`` / ``head_return``), the office's QA (``review_pass`` /
``review_return``) and the automatic close without QA.

A bad review's reply is a text after the call-back and rectification records; a
request's (咨询、投诉、建议) states the four elements of seed 004 §6(二)
(``request_rules.reply_parts``), stored in ``Reply.parts`` and composed into its text.
When a reply is released (QA passed, or at once without QA) the rater gets it by SMS, or
the upper apps learn that a request was answered (``hooks.request_answered``), before
the order closes (``hooks.request_closed``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings

from haochaping.core.errors import ValidationError
from haochaping.evaluations.models import Evaluation
from haochaping.notify.services import outbox_enqueue
from haochaping.workorders import hooks, request_rules, rules
from haochaping.workorders.models import (
    Callback,
    Escalation,
    Rectification,
    Reply,
    Review,
    Verification,
)
from haochaping.workorders.rules import REQUEST_KINDS, Action, Complexity, Kind
from haochaping.workorders.services import notices
from haochaping.workorders.services.engine import SYSTEM, Ctx, refusal_error, step
from haochaping.workorders.services.steps import rectify_limit_of


def steps_done(order_id: int, since: datetime | None) -> rules.Steps:
    """Step records that count for the next reply: a return asks for a new rectification."""
    rect = Rectification.objects.filter(order_id=order_id)
    if since is not None:
        rect = rect.filter(at__gte=since)
    return rules.Steps(called_back=Callback.objects.filter(order_id=order_id).exists(),
                       verified=Verification.objects.filter(order_id=order_id).exists(),
                       rectified=rect.exists())


def publish_reply(ctx: Ctx, reply: Reply) -> None:
    """Release the reply. A bad review: SMS to the rater (outbox, same transaction) and
    the rater's page. A request: visible from now (the submitter's tracking page reads
    ``visible_to_rater_at``) and ``hooks.request_answered`` once this transition is
    written (then ``request_closed`` when the order closes)."""
    order = ctx.order
    if order.evaluation_id is None:
        Reply.objects.filter(pk=reply.pk).update(visible_to_rater_at=ctx.now)
        ctx.then.append(lambda: hooks.fire(hooks.request_answered, order.pk))
        return
    evaluation = Evaluation.objects.select_related("matter", "rater").get(
        pk=order.evaluation_id or 0)
    link = f"{settings.HCP_PUBLIC_BASE_URL.rstrip('/')}/workorders/reply/{order.public_id}"
    message = outbox_enqueue(template="rectification_reply", rater=evaluation.rater,
                             params={"matter": evaluation.matter.name,
                                     "summary": reply.text[:60], "link": link},
                             dedupe_key=f"workorder-reply:{reply.pk}")
    Reply.objects.filter(pk=reply.pk).update(
        visible_to_rater_at=ctx.now, outbox_message=message)
    ctx.record["outbox_message"] = message.pk if message is not None else None


def _answer(ctx: Ctx, action: Action) -> Reply:
    """Check and store the department's reply (``reply`` or ``submit``)."""
    kind = Kind(ctx.order.kind)
    parts: dict[str, Any] = {}
    if kind in REQUEST_KINDS:
        raw = ctx.payload.get("parts")
        try:
            parts = request_rules.reply_parts(raw if isinstance(raw, dict) else {})
        except request_rules.ReplyPartsRefused as exc:
            raise ValidationError(exc.code, exc.message, exc.field) from None
        note = ctx.text("text", "答复说明", required=False, limit=request_rules.NOTE_LIMIT)
        text = request_rules.compose(parts, note)
    else:
        text = ctx.text("text", "反馈内容", limit=500)
    refusal = rules.reply_refusal(ctx.policy, steps_done(ctx.order.pk, ctx.order.returned_at),
                                  kind, action)
    if refusal is not None:
        raise refusal_error(refusal)
    reply = Reply.objects.create(order=ctx.order, by=ctx.actor.user, at=ctx.now, text=text,
                                 parts=parts)
    ctx.record, ctx.note = {"reply": reply.pk}, text
    return reply


def _close_without_qa(ctx: Ctx, reply: Reply) -> None:
    if rules.reply_closes(ctx.policy):
        publish_reply(ctx, reply)
        ctx.then.append(lambda: _close_after_reply(ctx))


@step(Action.REPLY)
def _reply(ctx: Ctx) -> None:
    _close_without_qa(ctx, _answer(ctx, Action.REPLY))


@step(Action.SUBMIT)
def _submit(ctx: Ctx) -> None:
    _answer(ctx, Action.SUBMIT)
    order_id = ctx.order.pk
    ctx.then.append(lambda: notices.notify_review(order_id, ctx.now))


def _close_after_reply(ctx: Ctx) -> None:
    from haochaping.workorders.services.engine import workorder_transition

    workorder_transition(actor=SYSTEM, order=ctx.order, action=Action.AUTO_CLOSE, now=ctx.now)


@step(Action.AUTO_CLOSE)
def _auto_close(ctx: Ctx) -> None:
    ctx.note = "无需质检，反馈评价人后办结"


def _latest_reply(ctx: Ctx) -> Reply:
    return Reply.objects.filter(order=ctx.order).latest("at", "pk")


@step(Action.HEAD_APPROVE)
def _head_approve(ctx: Ctx) -> None:
    """审阅通过: the reply goes to the office's QA, or is released and closes the order
    when the policy has no QA."""
    reply = _latest_reply(ctx)
    ctx.note = ctx.text("note", "审阅意见", required=False)
    ctx.record = {"reply": reply.pk, "approved": True}
    _close_without_qa(ctx, reply)


@step(Action.HEAD_RETURN)
def _head_return(ctx: Ctx) -> None:
    """退回: the department reworks its reply; its close clock runs on (the head is the
    department's own)."""
    reasons = ctx.text("reasons", "退回理由")
    ctx.record, ctx.note = {"reply": _latest_reply(ctx).pk, "approved": False}, reasons
    order = ctx.order
    ctx.then.append(lambda: notices.notify_returned(
        order.pk, ctx.now, by="部门负责人", deadline=order.rectify_due_at))


@step(Action.REVIEW_PASS)
def _review_pass(ctx: Ctx) -> None:
    row = Review.objects.create(order=ctx.order, by=ctx.actor.user, at=ctx.now, passed=True,
                                reasons=ctx.text("note", "质检意见", required=False))
    ctx.record = {"review": row.pk}
    publish_reply(ctx, _latest_reply(ctx))


@step(Action.REVIEW_RETURN)
def _review_return(ctx: Ctx) -> None:
    reasons = ctx.text("reasons", "退回理由")
    row = Review.objects.create(order=ctx.order, by=ctx.actor.user, at=ctx.now, passed=False,
                                reasons=reasons)
    # Rework gets the policy's limit again from the return (the office's QA time is not
    # the department's); the return itself is escalated at once (督办, issue 4).
    complexity = Complexity(ctx.order.complexity)
    due = ctx.updates["rectify_due_at"] = ctx.due(rectify_limit_of(ctx, complexity))
    Escalation.objects.get_or_create(order=ctx.order, kind="returned", clock="rectify",
                                     period=ctx.now.isoformat(),
                                     defaults={"at": ctx.now, "by": ctx.actor.user,
                                               "note": reasons})
    ctx.record, ctx.note = {"review": row.pk}, reasons
    order_id = ctx.order.pk
    ctx.then.append(lambda: notices.notify_returned(order_id, ctx.now, by="质检",
                                                    deadline=due))
