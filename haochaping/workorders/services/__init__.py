"""Writes for work orders. Everything that changes an order goes through
:func:`workorder_transition`; the named wrappers below only spell out each step's payload
for callers (API, screens, jobs)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, require
from haochaping.audit.services import audit_record
from haochaping.catalog.selectors.policy import effective_policy
from haochaping.core import uploads
from haochaping.core.errors import PermissionDenied, RuleViolation, ValidationError
from haochaping.vault.services import RaterIdentity
from haochaping.workorders import rules
from haochaping.workorders.models import Attachment, WorkOrder
from haochaping.workorders.rules import Action, Kind, Party, State
from haochaping.workorders.services import replies as _replies  # noqa: F401  (registers STEPS)
from haochaping.workorders.services import steps as _steps  # noqa: F401  (registers STEPS)
from haochaping.workorders.services.engine import SYSTEM, party_of, workorder_transition
from haochaping.workorders.services.opening import (
    sweep_missing_orders,
    workorder_on_invalidated_id,
    workorder_on_rating,
    workorder_on_rating_id,
    workorder_open_for_evaluation,
)
from haochaping.workorders.services.publication import Preview, typical_preview
from haochaping.workorders.services.relay import callback_relay, latest_relay_call, order_reveal

__all__ = [
    "SYSTEM", "Preview", "attachment_add", "callback_relay", "callback_reveal_phone",
    "order_reveal", "sweep_missing_orders", "typical_preview",
    "workorder_appeal_file", "workorder_appeal_rule", "workorder_callback",
    "workorder_extension_decide", "workorder_extension_request", "workorder_head_review",
    "workorder_mark_typical",
    "workorder_on_invalidated_id", "workorder_on_rating", "workorder_on_rating_id",
    "workorder_open_for_evaluation",
    "workorder_rectify", "workorder_redispatch", "workorder_reopen", "workorder_reply",
    "workorder_review",
    "workorder_satisfaction",
    "workorder_dissent",
    "workorder_sign", "workorder_transition", "workorder_verify",
]

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def workorder_sign(*, actor: Actor, order: WorkOrder, complexity: str | None = None,
                   now: datetime | None = None) -> WorkOrder:
    payload = {"complexity": complexity} if complexity else {}
    return workorder_transition(actor=actor, order=order, action=Action.SIGN,
                                payload=payload, now=now)


def workorder_callback(*, actor: Actor, order: WorkOrder, method: str, reached: bool,
                       summary: str, called_at: datetime | None = None,
                       now: datetime | None = None) -> WorkOrder:
    """A call-back; with method ``relay`` (隐私号通话) the relay platform's newest call
    record of the order is its evidence (when, how long, answered or not)."""
    payload = {"method": method, "reached": reached, "summary": summary,
               "called_at": called_at}
    if method == "relay" and party_of(actor) is Party.HANDLER:
        payload["relay_call"] = latest_relay_call(order, now)
    return workorder_transition(actor=actor, order=order, action=Action.CALLBACK, now=now,
                                payload=payload)


def workorder_verify(*, actor: Actor, order: WorkOrder, findings: str,
                     now: datetime | None = None) -> WorkOrder:
    return workorder_transition(actor=actor, order=order, action=Action.VERIFY, now=now,
                                payload={"findings": findings})


def workorder_rectify(*, actor: Actor, order: WorkOrder, measures: str, result: str,
                      attachment_ids: list[int] | None = None,
                      now: datetime | None = None) -> WorkOrder:
    return workorder_transition(actor=actor, order=order, action=Action.RECTIFY, now=now,
                                payload={"measures": measures, "result": result,
                                         "attachment_ids": attachment_ids or []})


def workorder_reply(*, actor: Actor, order: WorkOrder, text: str = "",
                    parts: dict[str, str] | None = None,
                    now: datetime | None = None) -> WorkOrder:
    """The department's reply. A request (咨询、投诉、建议) states the four elements in
    ``parts`` (request_rules.REPLY_PARTS; ``text`` an optional note) and goes to the
    department head first when the policy asks for approval (``submit``)."""
    action = rules.reply_action(effective_policy(order.org), Kind(order.kind))
    return workorder_transition(actor=actor, order=order, action=action, now=now,
                                payload={"text": text, "parts": parts or {}})


def workorder_head_review(*, actor: Actor, order: WorkOrder, approved: bool,
                          reasons: str = "", now: datetime | None = None) -> WorkOrder:
    """The department head's 审阅 of a request's reply: approve (to the office's QA, or
    released and closed without QA) or return with reasons."""
    if approved:
        return workorder_transition(actor=actor, order=order, action=Action.HEAD_APPROVE,
                                    now=now, payload={"note": reasons})
    return workorder_transition(actor=actor, order=order, action=Action.HEAD_RETURN,
                                now=now, payload={"reasons": reasons})


def workorder_review(*, actor: Actor, order: WorkOrder, passed: bool, reasons: str = "",
                     now: datetime | None = None) -> WorkOrder:
    if passed:
        return workorder_transition(actor=actor, order=order, action=Action.REVIEW_PASS,
                                    now=now, payload={"note": reasons})
    return workorder_transition(actor=actor, order=order, action=Action.REVIEW_RETURN,
                                now=now, payload={"reasons": reasons})


def workorder_extension_request(*, actor: Actor, order: WorkOrder, new_due_date: date,
                                reason: str, now: datetime | None = None) -> WorkOrder:
    return workorder_transition(actor=actor, order=order, action=Action.EXTENSION_REQUEST,
                                now=now, payload={"new_due_date": new_due_date,
                                                  "reason": reason})


def workorder_extension_decide(*, actor: Actor, order: WorkOrder, grant: bool,
                               note: str = "", now: datetime | None = None) -> WorkOrder:
    return workorder_transition(actor=actor, order=order, action=Action.EXTENSION_DECIDE,
                                now=now, payload={"grant": grant, "note": note})


def workorder_appeal_file(*, actor: Actor, order: WorkOrder, grounds: str, evidence: str,
                          attachment_ids: list[int] | None = None,
                          now: datetime | None = None) -> WorkOrder:
    return workorder_transition(actor=actor, order=order, action=Action.APPEAL_FILE, now=now,
                                payload={"grounds": grounds, "evidence": evidence,
                                         "attachment_ids": attachment_ids or []})


def workorder_appeal_rule(*, actor: Actor, order: WorkOrder, upheld: bool, reason: str,
                          now: datetime | None = None) -> WorkOrder:
    action = Action.APPEAL_UPHOLD if upheld else Action.APPEAL_REJECT
    return workorder_transition(actor=actor, order=order, action=action, now=now,
                                payload={"reason": reason})


def workorder_redispatch(*, actor: Actor, order: WorkOrder, org_id: int, note: str = "",
                         now: datetime | None = None) -> WorkOrder:
    return workorder_transition(actor=actor, order=order, action=Action.REDISPATCH, now=now,
                                payload={"org_id": org_id, "note": note})


def workorder_mark_typical(*, actor: Actor, order: WorkOrder, typical: bool = True,
                           public_text: str = "",
                           now: datetime | None = None) -> WorkOrder:
    """Mark (publish) or un-mark a closed bad review as a typical case. ``public_text`` is
    the text the office confirmed after ``typical_preview`` (required to publish)."""
    return workorder_transition(actor=actor, order=order, action=Action.MARK_TYPICAL,
                                now=now, payload={"typical": typical,
                                                  "public_text": public_text or ""})


def workorder_reopen(*, actor: Actor, order: WorkOrder, reasons: str, check: int | None = None,
                     now: datetime | None = None) -> WorkOrder:
    """The office reopens a closed bad review whose fix a spot check found not made
    (整改不实: supervision's findings); ``check``: the spot check's number, recorded."""
    return workorder_transition(actor=actor, order=order, action=Action.REOPEN, now=now,
                                payload={"reasons": reasons, "check": check})


def workorder_satisfaction(*, actor: Actor, order: WorkOrder, satisfied: bool,
                           channel: str = "office",
                           now: datetime | None = None) -> WorkOrder:
    """The rater's satisfaction with the outcome (once, after the reply is released):
    stated on the rater's page (``actor=SYSTEM``, channel ``rater_page``) or recorded by
    the office from a call-back."""
    return workorder_transition(actor=actor, order=order, action=Action.SATISFACTION, now=now,
                                payload={"satisfied": satisfied, "channel": channel})


def workorder_dissent(*, actor: Actor, order: WorkOrder, reason: str,
                      channel: str = "rater_page", now: datetime | None = None) -> WorkOrder:
    """The rater is not satisfied with the outcome and says why (on the rater's page,
    ``actor=SYSTEM``; or the office from a call-back): recorded as their satisfaction, and
    the order goes back to the office's QA instead of staying closed (issue 16)."""
    return workorder_transition(actor=actor, order=order, action=Action.DISSENT, now=now,
                                payload={"reason": reason, "channel": channel})


def attachment_add(*, actor: Actor, order: WorkOrder, upload: UploadedFile,
                   now: datetime | None = None) -> Attachment:
    """Store one evidence or rectification file (MEDIA_ROOT) with its SHA-256: an image,
    PDF, OFD or Office document by its content (``core.uploads``), under a safe name."""
    if party_of(actor) is not Party.HANDLER:
        raise PermissionDenied("forbidden.role", "只有承办部门可以上传附件")
    require(actor, access.WORK_ORDER, access.WRITE, order.org_path)
    if State(order.status) not in (State.DISPATCHED, State.SIGNED, State.RETURNED):
        raise ValidationError("workorder.attachment_closed", "当前状态不能上传附件")
    size = upload.size or 0
    if not 0 < size <= MAX_ATTACHMENT_BYTES:
        raise ValidationError("workorder.attachment_size", "附件须为 1 字节至 20 MB", "file")
    try:  # judged by content, against the allowlist of core.uploads
        kind = uploads.kind_of(upload)
    except RuleViolation as exc:
        raise ValidationError(exc.code, exc.message, exc.field) from None
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    now = now or timezone.now()
    name = uploads.safe_name(upload.name or "", kind)
    with transaction.atomic():
        row = Attachment(order=order, name=name, sha256=digest.hexdigest(), size=size,
                         uploaded_by=actor.user, created_at=now)
        row.file.save(name, upload, save=False)
        row.save()
        audit_record(action="workorder.attachment", actor=actor.user, actor_label=actor.label,
                     obj=order, after={"attachment": row.pk, "sha256": row.sha256,
                                       "size": size, "kind": kind.name})
    return row


def callback_reveal_phone(*, actor: Actor, order: WorkOrder,
                          purpose: str = "差评回访") -> RaterIdentity:
    """The rater's name and phone for a call-back, on an explicit action with a purpose:
    see :func:`order_reveal` (office; the handler only where the policy allows it or the
    privacy-number relay failed; once per order and person)."""
    return order_reveal(actor=actor, order=order, purpose=purpose)
