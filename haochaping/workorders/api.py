"""Work-order API for logged-in users (session or key): list, detail, actions, and one POST
per step. Thin: each handler calls the selector or the service and nothing else."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from haochaping.accounts.auth import actor_of, api_auth
from haochaping.core.bounds import Id
from haochaping.workorders import selectors, services
from haochaping.workorders.models import WorkOrder
from haochaping.workorders.rules import STATE_LABELS, State
from haochaping.workorders.schemas import (
    AppealFileIn,
    AppealRuleIn,
    CallbackIn,
    DetailOut,
    ExtensionDecideIn,
    ExtensionRequestIn,
    HeadReviewIn,
    OrderOut,
    RectifyIn,
    RedispatchIn,
    ReplyIn,
    ReviewIn,
    SignIn,
    TypicalIn,
    TypicalPreviewIn,
    TypicalPreviewOut,
    VerifyIn,
)

router = Router(tags=["workorders"], auth=api_auth)


def order_out(order: WorkOrder) -> dict[str, Any]:
    return {
        "id": order.pk, "public_id": str(order.public_id), "number": order.number,
        "kind": order.kind,
        "status": order.status, "status_label": STATE_LABELS[State(order.status)],
        "org_id": order.org_id, "complexity": order.complexity,
        "typical_case": order.typical_case, "public_summary": order.public_summary,
        "published_at": order.published_at, "contact_due_at": order.contact_due_at,
        "investigate_due_at": order.investigate_due_at,
        "rectify_due_at": order.rectify_due_at, "appeal_file_due_at": order.appeal_file_due_at,
        "ruling_due_at": order.ruling_due_at, "urgent": order.urgent,
        "first_touch_at": order.first_touch_at, "created_at": order.created_at,
    }


@router.get("/", response=list[OrderOut])
def list_orders(request: HttpRequest, status: str | None = None, overdue: bool | None = None,
                open_only: bool = False, limit: int = Query(100, ge=1, le=500),
                ) -> list[dict[str, Any]]:
    filters = selectors.QueueFilters(status=status, overdue=overdue, open_only=open_only)
    return [order_out(o) for o in selectors.queue_for(actor_of(request), filters)[:limit]]


@router.get("/{pk}", response=DetailOut)
def detail(request: HttpRequest, pk: Id) -> dict[str, Any]:
    d = selectors.order_detail(actor_of(request), pk)
    return {"order": order_out(d.order), "rater_name": d.rater_name,
            "rater_phone": d.rater_phone, "actions": [a.value for a in d.actions],
            "events": [{"action": e.action, "from_status": e.from_status,
                        "to_status": e.to_status, "actor_label": e.actor_label,
                        "note": e.note, "payload": e.payload, "at": e.at} for e in d.events],
            "request_source": d.request_source, "request_text": d.request_text,
            "reply_parts": [{"label": label, "text": text} for label, text in d.reply_parts]}


@router.get("/{pk}/actions", response=list[str])
def actions(request: HttpRequest, pk: Id) -> list[str]:
    actor = actor_of(request)
    return [a.value for a in selectors.available_actions(actor, selectors.get_order(actor, pk))]


def _act(request: HttpRequest, pk: Id) -> tuple[Any, WorkOrder]:
    actor = actor_of(request)
    return actor, selectors.get_order(actor, pk)


@router.post("/{pk}/sign", response=OrderOut)
def sign(request: HttpRequest, pk: Id, body: SignIn) -> dict[str, Any]:
    actor, order = _act(request, pk)
    return order_out(services.workorder_sign(actor=actor, order=order,
                                             complexity=body.complexity))


@router.post("/{pk}/callback", response=OrderOut)
def callback(request: HttpRequest, pk: Id, body: CallbackIn) -> dict[str, Any]:
    actor, order = _act(request, pk)
    return order_out(services.workorder_callback(actor=actor, order=order, **body.dict()))


@router.post("/{pk}/verify", response=OrderOut)
def verify(request: HttpRequest, pk: Id, body: VerifyIn) -> dict[str, Any]:
    actor, order = _act(request, pk)
    return order_out(services.workorder_verify(actor=actor, order=order, **body.dict()))


@router.post("/{pk}/rectify", response=OrderOut)
def rectify(request: HttpRequest, pk: Id, body: RectifyIn) -> dict[str, Any]:
    actor, order = _act(request, pk)
    return order_out(services.workorder_rectify(actor=actor, order=order, **body.dict()))


@router.post("/{pk}/reply", response=OrderOut)
def reply(request: HttpRequest, pk: Id, body: ReplyIn) -> dict[str, Any]:
    actor, order = _act(request, pk)
    parts = body.parts.dict() if body.parts is not None else None
    return order_out(services.workorder_reply(actor=actor, order=order, text=body.text,
                                              parts=parts))


@router.post("/{pk}/head-review", response=OrderOut)
def head_review(request: HttpRequest, pk: Id, body: HeadReviewIn) -> dict[str, Any]:
    """The department head's 审阅 of a request's reply: approve or return with reasons."""
    actor, order = _act(request, pk)
    return order_out(services.workorder_head_review(actor=actor, order=order,
                                                    **body.dict()))


@router.post("/{pk}/review", response=OrderOut)
def review(request: HttpRequest, pk: Id, body: ReviewIn) -> dict[str, Any]:
    actor, order = _act(request, pk)
    return order_out(services.workorder_review(actor=actor, order=order, **body.dict()))


@router.post("/{pk}/extension", response=OrderOut)
def extension_request(request: HttpRequest, pk: Id, body: ExtensionRequestIn,
                      ) -> dict[str, Any]:
    actor, order = _act(request, pk)
    return order_out(services.workorder_extension_request(actor=actor, order=order,
                                                          **body.dict()))


@router.post("/{pk}/extension/decide", response=OrderOut)
def extension_decide(request: HttpRequest, pk: Id, body: ExtensionDecideIn,
                     ) -> dict[str, Any]:
    actor, order = _act(request, pk)
    return order_out(services.workorder_extension_decide(actor=actor, order=order,
                                                         **body.dict()))


@router.post("/{pk}/appeal", response=OrderOut)
def appeal_file(request: HttpRequest, pk: Id, body: AppealFileIn) -> dict[str, Any]:
    actor, order = _act(request, pk)
    return order_out(services.workorder_appeal_file(actor=actor, order=order, **body.dict()))


@router.post("/{pk}/appeal/rule", response=OrderOut)
def appeal_rule(request: HttpRequest, pk: Id, body: AppealRuleIn) -> dict[str, Any]:
    actor, order = _act(request, pk)
    return order_out(services.workorder_appeal_rule(actor=actor, order=order, **body.dict()))


@router.post("/{pk}/redispatch", response=OrderOut)
def redispatch(request: HttpRequest, pk: Id, body: RedispatchIn) -> dict[str, Any]:
    actor, order = _act(request, pk)
    return order_out(services.workorder_redispatch(actor=actor, order=order, **body.dict()))


@router.post("/{pk}/typical", response=OrderOut)
def typical(request: HttpRequest, pk: Id, body: TypicalIn) -> dict[str, Any]:
    actor, order = _act(request, pk)
    return order_out(services.workorder_mark_typical(actor=actor, order=order,
                                                     typical=body.typical,
                                                     public_text=body.public_text))


@router.post("/{pk}/typical/preview", response=TypicalPreviewOut)
def typical_preview(request: HttpRequest, pk: Id, body: TypicalPreviewIn) -> dict[str, Any]:
    """发布预览: the public text with personal data taken out, and what was taken out.
    Publish by sending the confirmed text to ``POST …/typical``."""
    actor, order = _act(request, pk)
    shown = services.typical_preview(actor=actor, order=order, draft=body.public_text)
    return {"text": shown.text, "findings": [
        {"kind": f.kind, "label": f.label, "shown": f.shown, "replacement": f.replacement,
         "start": f.start, "end": f.end} for f in shown.findings]}
