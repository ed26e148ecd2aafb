"""The office sets or corrects an item's cause (问题类别, ``rules.causes``) at triage or
later: the submitter may have left it blank or picked a wrong one, and the 举一反三
figures and the common-problem detection (``problems``) cluster on it.

The supervising office of the item's subtree only (``dispatch.office_check``); a timeline
event (internal, the submitter is not told) and an audit row with the old and new code.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from haochaping.accounts.scoping import Actor
from haochaping.audit.services import audit_record
from haochaping.complaints.models import Submission
from haochaping.complaints.rules.causes import cause_label, parse_cause
from haochaping.complaints.services.dispatch import office_check
from haochaping.complaints.services.moves import submission_note
from haochaping.core.errors import ValidationError
from haochaping.workorders.services.engine import SYSTEM


def submission_set_cause(item: Submission, *, actor: Actor, cause: str,
                         now: datetime) -> Submission:
    """Set the item's cause to ``cause`` (a code of ``rules.causes``; blank clears it).
    The same code again changes nothing and records nothing."""
    if actor == SYSTEM:
        raise ValidationError("complaint.office_only", "此操作须由政务服务管理机构作出")
    office_check(actor, item)
    try:
        chosen = parse_cause(cause)
    except ValueError:
        raise ValidationError("complaint.invalid_cause", "问题类别无效，请重新选择",
                              "cause") from None
    code = chosen.value if chosen else ""
    with transaction.atomic():
        fresh = Submission.objects.select_for_update().get(pk=item.pk)
        if fresh.cause == code:
            return fresh
        before = fresh.cause
        Submission.objects.filter(pk=fresh.pk).update(cause=code, updated_at=now)
        fresh.cause, fresh.updated_at = code, now
        submission_note(fresh, action="set_cause", now=now, actor=actor.user,
                        actor_label=actor.label,
                        note=f"问题类别：{cause_label(before)} → {cause_label(code)}",
                        payload={"from": before, "to": code})
        audit_record(action="complaint.set_cause", actor=actor.user,
                     actor_label=actor.label, obj=fresh, before={"cause": before},
                     after={"cause": code})
    return fresh
