"""The office's decisions on items (seed 004 §5, §6): accept a triage item (then
dispatch), refuse with a reason of ``rules.reasons`` and a note, overturn a refusal,
merge a duplicate into another item, close a reopened item with an explanation.

Each is the supervising office's of the item's subtree, checked before anything is
written, in one transaction with the status move (``services.moves``: the timeline event
and the audit row); the submitter's note on the timeline says what was decided and, for a
refusal, why and where to go instead.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from haochaping.accounts.scoping import Actor
from haochaping.catalog.models import Org
from haochaping.complaints import hooks
from haochaping.complaints.models import Submission
from haochaping.complaints.rules.kinds import Status
from haochaping.complaints.rules.reasons import REASONS
from haochaping.complaints.services.dispatch import (
    office_check,
    submission_auto_dispatch,
    submission_dispatch,
)
from haochaping.complaints.services.moves import submission_move, submission_note
from haochaping.core.errors import Conflict, NotFound, ValidationError
from haochaping.workorders.services.engine import SYSTEM

MIN_NOTE = 2
MAX_NOTE = 400
MERGEABLE = frozenset({Status.TRIAGE, Status.ACCEPTED})


def _note(note: str, *, required: bool) -> str:
    note = " ".join((note or "").split())
    if required and len(note) < MIN_NOTE:
        raise ValidationError("complaint.note_required", "请填写处理意见", "note")
    if len(note) > MAX_NOTE:
        raise ValidationError("complaint.note_too_long", f"处理意见不能超过 {MAX_NOTE} 字",
                              "note")
    return note


def _office(actor: Actor, item: Submission) -> None:
    if actor == SYSTEM:
        raise ValidationError("complaint.office_only", "此操作须由政务服务管理机构作出")
    office_check(actor, item)


def _expect(item: Submission, *statuses: Status) -> None:
    if Status(item.status) not in statuses:
        raise Conflict("complaint.invalid_move",
                       f"诉求件当前为“{Status(item.status).label}”，不能执行此操作")


def _decided(actor: Actor, now: datetime, item: Submission) -> dict[str, object]:
    fields: dict[str, object] = {"decided_by": actor.user, "decided_at": now}
    if item.first_touch_at is None:
        fields["first_touch_at"] = now
    return fields


def submission_accept(item: Submission, *, actor: Actor, now: datetime, note: str = "",
                      org: Org | None = None) -> Submission:
    """待分拣 → 已受理; then dispatched to ``org``, or routed (待交办 when unsure)."""
    _office(actor, item)
    note = _note(note, required=False)
    with transaction.atomic():
        fresh = Submission.objects.select_for_update().get(pk=item.pk)
        _expect(fresh, Status.TRIAGE)
        submission_move(fresh, Status.ACCEPTED, action="office_accept", now=now,
                        actor=actor.user, actor_label=actor.label, public_note="已受理",
                        note=note, updates={**_decided(actor, now, fresh), "reason": "",
                                            "decision_note": note})
        if org is not None:
            return submission_dispatch(fresh, actor=actor, org=org, now=now)
        return submission_auto_dispatch(fresh, now)


def submission_refuse(item: Submission, *, actor: Actor, reason: str, note: str,
                      now: datetime) -> Submission:
    """待分拣 or 待交办 → 不予受理, with a reason code of ``rules.reasons`` and a note;
    the submitter is told why and where to go instead."""
    _office(actor, item)
    why = REASONS.get(reason or "")
    if why is None:
        raise ValidationError("complaint.invalid_reason", "请选择不予受理的原因", "reason")
    note = _note(note, required=True)
    with transaction.atomic():
        fresh = Submission.objects.select_for_update().get(pk=item.pk)
        _expect(fresh, Status.TRIAGE, Status.ACCEPTED)
        submission_move(fresh, Status.REFUSED, action="office_refuse", now=now,
                        actor=actor.user, actor_label=actor.label,
                        public_note=f"不予受理：{why.explanation}{why.where}", note=note,
                        updates={**_decided(actor, now, fresh), "reason": why.code,
                                 "decision_note": note},
                        payload={"reason": why.code})
        hooks.fire(hooks.submission_refused, fresh.pk)
    return fresh


def submission_overturn(item: Submission, *, actor: Actor, note: str, now: datetime,
                        org: Org | None = None) -> Submission:
    """不予受理 → 已受理 (the office corrects a refusal, the machine's or its own), then
    dispatched to ``org`` or routed."""
    _office(actor, item)
    note = _note(note, required=True)
    with transaction.atomic():
        fresh = Submission.objects.select_for_update().get(pk=item.pk)
        _expect(fresh, Status.REFUSED)
        submission_move(fresh, Status.ACCEPTED, action="overturn", now=now,
                        actor=actor.user, actor_label=actor.label,
                        public_note="经复核，您的诉求已受理", note=note,
                        updates={**_decided(actor, now, fresh), "decision_note": note},
                        payload={"was": fresh.reason})
        if org is not None:
            return submission_dispatch(fresh, actor=actor, org=org, now=now)
        return submission_auto_dispatch(fresh, now)


def submission_merge(item: Submission, *, actor: Actor, target_ref: str, note: str,
                     now: datetime) -> Submission:
    """A duplicate (待分拣 or 待交办) follows ``target_ref`` (合并): its status 已合并,
    its submitter told the target's progress and answer. Both in the office's subtree;
    the target is not itself merged, refused or the item."""
    _office(actor, item)
    note = _note(note, required=False)
    target = Submission.objects.filter(ref=(target_ref or "").strip().upper()).first()
    if target is None or not target.office_path.startswith(actor.scope_path or ""):
        raise NotFound("complaint.merge_target_not_found", "未找到要并入的诉求件",
                       "target_ref")
    if target.pk == item.pk:
        raise ValidationError("complaint.merge_self", "不能并入自身", "target_ref")
    if target.status in (Status.MERGED.value, Status.REFUSED.value):
        raise Conflict("complaint.merge_target_closed",
                       f"目标诉求件为“{Status(target.status).label}”，不能并入", "target_ref")
    with transaction.atomic():
        fresh = Submission.objects.select_for_update().get(pk=item.pk)
        _expect(fresh, *MERGEABLE)
        submission_move(fresh, Status.MERGED, action="office_merge", now=now,
                        actor=actor.user, actor_label=actor.label,
                        public_note=f"与 {target.ref} 反映的问题相同，已并入该件一并办理",
                        note=note, updates={**_decided(actor, now, fresh),
                                            "merged_into": target, "decision_note": note},
                        payload={"target": target.ref})
        submission_note(target, action="merged_in", now=now, actor=actor.user,
                        actor_label=actor.label, note=f"{fresh.ref} 已并入本件",
                        payload={"merged": fresh.ref})
    return fresh


def submission_close_reopened(item: Submission, *, actor: Actor, note: str,
                              now: datetime) -> Submission:
    """未解决待复核 → 已办结 with the office's explanation to the submitter (the
    alternative is a new dispatch: ``services.dispatch.submission_dispatch``)."""
    _office(actor, item)
    note = _note(note, required=True)
    with transaction.atomic():
        fresh = Submission.objects.select_for_update().get(pk=item.pk)
        _expect(fresh, Status.REOPENED)
        submission_move(fresh, Status.CLOSED, action="close_reopened", now=now,
                        actor=actor.user, actor_label=actor.label,
                        public_note=f"经复核办结：{note}", note=note,
                        updates={"decision_note": note, "decided_by": actor.user,
                                 "decided_at": now})
    return fresh
