"""The submitter's verdict on the answer (tracking page, app): resolved or not, a level.

Only an ``answered`` item, once per answer (a re-handled item answered again may be
rated again). Resolved closes the item; not resolved sends it back to
the office (``reopened``, 未解决待复核), which re-handles it or closes it. The move goes
through :func:`~haochaping.complaints.services.moves.submission_move` (timeline event and
audit row); the comment is kept on that event for the office, never shown publicly.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from haochaping.complaints.models import Submission
from haochaping.complaints.rules.kinds import Status
from haochaping.complaints.services.moves import submission_move
from haochaping.core.errors import Conflict, ValidationError
from haochaping.core.text import clean_text

MAX_COMMENT = 500
LEVELS = range(1, 6)


def submission_rate_answer(*, item: Submission, resolved: bool | None, level: int | None,
                           comment: str = "", channel: str = "tracking_page",
                           now: datetime | None = None) -> Submission:
    """Record the submitter's verdict on the published answer of ``item``."""
    if resolved is None:
        raise ValidationError("complaint.resolved_required", "请选择问题是否已解决", "resolved")
    if level not in LEVELS:
        raise ValidationError("complaint.invalid_answer_level", "请选择对答复的评价（1 至 5 星）",
                              "level")
    comment = clean_text(comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError("complaint.comment_too_long",
                              f"意见不能超过 {MAX_COMMENT} 个字", "comment")
    now = now or timezone.now()
    with transaction.atomic():
        current = Submission.objects.select_for_update().get(pk=item.pk)
        if current.answer_rated_at is not None and (
                current.answered_at is None or current.answer_rated_at >= current.answered_at):
            raise Conflict("complaint.answer_already_rated", "您已评价过本次答复，不能重复评价")
        if current.status != Status.ANSWERED.value:
            raise Conflict("complaint.not_answered", "诉求件尚未答复，暂不能评价")
        target = Status.CLOSED if resolved else Status.REOPENED
        note = "诉求人评价：已解决" if resolved else "诉求人评价：未解决，转管理机构复核"
        submission_move(current, target, action="rate_answer", now=now,
                        actor_label="submitter", public_note=note, note=comment,
                        updates={"resolved": resolved, "answer_level": level,
                                 "answer_rated_at": now},
                        payload={"resolved": resolved, "level": level, "channel": channel})
    for name in ("status", "resolved", "answer_level", "answer_rated_at", "closed_at",
                 "updated_at"):
        setattr(item, name, getattr(current, name))
    return item
