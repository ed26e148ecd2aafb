"""The one writer of a submission's status: a checked move plus its timeline event.

Every status change goes through :func:`submission_move` (compare and swap on the status,
``rules.kinds.MOVES``), inside the caller's transaction, so the event, the audit row and
whatever caused the move commit together.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from haochaping.audit.services import audit_record
from haochaping.complaints.models import Submission, SubmissionEvent
from haochaping.complaints.rules.kinds import Status, may_move
from haochaping.core.errors import Conflict

_STAMPS = {Status.DISPATCHED: "dispatched_at", Status.ANSWERED: "answered_at",
           Status.CLOSED: "closed_at"}


def submission_move(item: Submission, target: Status, *, action: str, now: datetime,
                    actor: Any = None, actor_label: str = "system:complaints",
                    public_note: str = "", note: str = "",
                    updates: dict[str, Any] | None = None,
                    payload: dict[str, Any] | None = None) -> Submission:
    """Move ``item`` to ``target`` (refused with 409 when the table does not allow it or
    another writer moved it first), stamping the time and applying ``updates``."""
    source = Status(item.status)
    if not may_move(source, target):
        raise Conflict("complaint.invalid_move",
                       f"诉求件当前为“{source.label}”，不能改为“{target.label}”")
    fields: dict[str, Any] = {"status": target.value, "updated_at": now, **(updates or {})}
    if target in _STAMPS:
        fields[_STAMPS[target]] = now
    done = Submission.objects.filter(pk=item.pk, status=source.value).update(**fields)
    if not done:
        raise Conflict("complaint.concurrent_change", "诉求件已被他人处理，请刷新后再试")
    for name, value in fields.items():
        setattr(item, name, value)
    SubmissionEvent.objects.create(
        submission=item, action=action, from_status=source.value, to_status=target.value,
        actor=actor, actor_label=actor_label, public_note=public_note, note=note,
        payload=payload or {}, at=now)
    audit_record(action=f"complaint.{action}", actor=actor, actor_label=actor_label,
                 obj=item, before={"status": source.value},
                 after={"status": target.value, **(payload or {})})
    return item


def submission_note(item: Submission, *, action: str, now: datetime, actor: Any = None,
                    actor_label: str = "system:complaints", public_note: str = "",
                    note: str = "", payload: dict[str, Any] | None = None) -> None:
    """A step recorded without a status change (a call-back, a reminder, a reading)."""
    SubmissionEvent.objects.create(
        submission=item, action=action, from_status=item.status, to_status=item.status,
        actor=actor, actor_label=actor_label, public_note=public_note, note=note,
        payload=payload or {}, at=now)
