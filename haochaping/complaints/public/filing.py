"""Filing by the submitter themself: the public page (phone proven by SMS code), the
village-station QR and the app / mini-program API (the app vouches for the real name).

Checks what these channels add to :func:`~haochaping.complaints.services.intake.
submission_receive` (a public kind, the submitter's name and phone, attachments), puts the
submitter into the rater vault, then hands the item to ``submission_receive`` and stores
the attachments, all in one transaction: bad input writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from haochaping.audit.services import audit_record
from haochaping.complaints.models import Submission
from haochaping.complaints.rules.kinds import PUBLIC_KINDS, Channel, ReplyChannel
from haochaping.complaints.services.attachments import attachments_check, attachments_store
from haochaping.complaints.services.intake import Subject, submission_receive
from haochaping.core import ratelimit
from haochaping.core.errors import FieldProblem, RateLimited, ValidationError
from haochaping.vault.applicant import NATURAL_PERSON, RESIDENT_ID_CARD, check_applicant
from haochaping.vault.services import identity_index_of, phone_index_of, raters_upsert

PUBLIC_REPLY = (ReplyChannel.SMS, ReplyChannel.PHONE, ReplyChannel.APP)
FILINGS_PER_DAY = 10  # per submitter's phone, all self-service channels together
MAX_NAME = 50
_FIELDS = {"applicant_kind": "name", "applicant_name": "name", "applicant_id_no": "id_no",
           "applicant_phone": "phone"}


@dataclass(frozen=True)
class Filing:
    """What the submitter filled in (strings as received)."""

    kind: str
    content: str
    name: str
    phone: str
    subject: Subject = field(default_factory=Subject)
    id_no: str = ""
    reply_channel: str = "sms"
    urgency: str = "normal"
    cause: str = ""  # rules.causes (optional): what kind of problem it is


def _check(filing: Filing) -> None:
    if filing.kind not in {k.value for k in PUBLIC_KINDS}:
        raise ValidationError("complaint.invalid_kind", "请选择诉求类型：咨询、投诉或建议", "kind")
    if filing.reply_channel not in {r.value for r in PUBLIC_REPLY}:
        raise ValidationError("complaint.invalid_reply_channel",
                              "请选择答复方式：短信、电话或网页查看", "reply_channel")
    if not (filing.content or "").strip():
        raise ValidationError("complaint.content_required", "请填写诉求内容", "content")
    name = (filing.name or "").strip()
    if not name:
        raise ValidationError("complaint.name_required", "请填写您的姓名", "name")
    if len(name) > MAX_NAME:
        raise ValidationError("complaint.name_too_long", f"姓名不能超过 {MAX_NAME} 个字", "name")
    if not (filing.phone or "").strip():
        raise ValidationError("complaint.phone_required", "请填写手机号码", "phone")


def _submitter(filing: Filing) -> tuple[Any, str]:
    """The applicant (checked) and the blind index of its phone."""
    app, errors = check_applicant(NATURAL_PERSON, filing.name, RESIDENT_ID_CARD,
                                  filing.id_no, filing.phone, _FIELDS)
    if app is None or not app.phone:
        problems = [FieldProblem(e.code, e.message, e.field) for e in errors]
        first = problems[0] if problems else FieldProblem("complaint.phone_required",
                                                          "请填写手机号码", "phone")
        raise ValidationError(first.code, first.message, first.field, problems=problems)
    return app, phone_index_of(app.phone)


def _count(phone_index: str) -> None:
    if ratelimit.over_limit(f"complaint_file:{phone_index}", FILINGS_PER_DAY, 24 * 3600,
                            now=timezone.now().timestamp()):
        raise RateLimited("complaint.too_many", "今日提交次数过多，请明天再试或拨打12345热线")


def submission_file(*, filing: Filing, channel: Channel, proven_phone_index: str | None = None,
                    client: Any = None, files: Sequence[Any] = (),
                    now: datetime | None = None) -> Submission:
    """File one item. ``proven_phone_index``: the public page's SMS-verified phone, which
    must be the phone given; ``client``: the app's API client (it vouched for the
    person). Returns the stored item with the acceptance filter's verdict applied."""
    _check(filing)
    app, phone_index = _submitter(filing)
    if channel is not Channel.APP and phone_index != proven_phone_index:
        raise ValidationError("complaint.phone_not_verified",
                              "手机号未验证或与验证的号码不一致，请重新验证", "phone")
    checked = attachments_check(files)
    _count(phone_index)
    now = now or timezone.now()
    label = f"api:{client.name}" if client is not None else f"public:{channel.value}"
    with transaction.atomic():
        rater_id = raters_upsert({identity_index_of(app): app})[identity_index_of(app)]
        item = submission_receive(kind=filing.kind, channel=channel, content=filing.content,
                                  subject=filing.subject, submitter_id=rater_id,
                                  phone_index=phone_index, reply_channel=filing.reply_channel,
                                  urgency=filing.urgency, actor_label=label, now=now,
                                  cause=filing.cause)
        if client is not None:
            Submission.objects.filter(pk=item.pk).update(client=client)
            item.client = client
        if checked:
            rows = attachments_store(item, checked, now)
            audit_record(action="complaint.attachments", actor=None, actor_label=label,
                         obj=item, after={"attachments": [
                             {"id": r.pk, "sha256": r.sha256, "size": r.size,
                              "type": r.content_type} for r in rows]})
    return item
