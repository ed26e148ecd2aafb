"""Intake of 诉求件: every channel ends in :func:`submission_receive` (issue 14 "Intake").

The caller (public page, app API, office entry, the exchange) has authenticated the
submitter its own way (SMS code, real name, staff login, signed remote message) and
checked its own form; this service checks what every channel shares, writes the item with
its first event in one transaction, runs the acceptance filter and records its verdict,
and audits. Bad input raises ``ValidationError`` (stable code, Chinese message) before
anything is written.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone

from haochaping.audit.services import audit_record
from haochaping.catalog.models import Hall, Matter, Org, Region, Staff, Window
from haochaping.catalog.rules.calendar import local_day
from haochaping.complaints.models import Submission, SubmissionEvent
from haochaping.complaints.rules.causes import Cause, parse_cause
from haochaping.complaints.rules.kinds import (
    REF_PREFIX,
    Channel,
    ReplyChannel,
    Status,
    SubmissionKind,
    Urgency,
)
from haochaping.complaints.services.dispatch import submission_auto_dispatch
from haochaping.complaints.services.screening import screen
from haochaping.core.errors import ValidationError
from haochaping.core.text import clean_text

MAX_CONTENT = 4000
MAX_SUBJECT = 200


@dataclass(frozen=True)
class Subject:
    """What the item is about, as far as the channel knows it."""

    matter: Matter | None = None
    org: Org | None = None
    window: Window | None = None
    staff: Staff | None = None
    hall: Hall | None = None
    region: Region | None = None
    text: str = ""


E = TypeVar("E", bound=StrEnum)


def _choice(enum: type[E], value: str, code: str, message: str, field: str) -> E:
    try:
        return enum(value)
    except ValueError:
        raise ValidationError(code, message, field) from None


def _cause(value: Cause | str | None) -> Cause | None:
    try:
        return parse_cause(value)
    except ValueError:
        raise ValidationError("complaint.invalid_cause", "问题类别无效，请重新选择",
                              "cause") from None


def new_ref(kind: SubmissionKind, now: datetime) -> str:
    """受理编号: kind prefix, the day, six random digits (not guessable in sequence; the
    tracking page asks for the phone's code as well)."""
    return f"{REF_PREFIX[kind]}{local_day(now):%Y%m%d}{secrets.randbelow(10 ** 6):06d}"


def receiving_office(subject: Subject) -> Org:
    """The supervising office whose subtree receives the item: the nearest supervising
    org above the subject's org (or the hall's, the window's), else the deployment's top
    office (属地管理优先)."""
    org = subject.org or (subject.window.org if subject.window else None) \
        or (subject.hall.org if subject.hall else None) \
        or (subject.staff.org if subject.staff else None)
    while org is not None:
        if org.kind == "supervising" and org.is_active:
            return org
        org = org.parent
    top = (Org.objects.filter(kind="supervising", is_active=True)
           .order_by("level", "path").first())
    if top is None:
        raise ValidationError("complaint.no_office", "本平台尚未配置政务服务管理机构，暂不能受理")
    return top


def submission_receive(*, kind: SubmissionKind | str, channel: Channel | str, content: str,
                       subject: Subject, submitter_id: int | None = None,
                       phone_index: str = "", reply_channel: ReplyChannel | str = "sms",
                       urgency: Urgency | str = "normal", filed_by: Any = None,
                       actor_label: str = "", now: datetime | None = None,
                       cause: Cause | str = "") -> Submission:
    """Take one item. Returns the stored submission with the filter's verdict applied
    (accepted, refused, merged or waiting for triage)."""
    kind_ = _choice(SubmissionKind, kind, "complaint.invalid_kind", "诉求类型无效", "kind")
    channel_ = _choice(Channel, channel, "complaint.invalid_channel", "来源渠道无效", "channel")
    reply_ = _choice(ReplyChannel, reply_channel, "complaint.invalid_reply_channel",
                     "答复方式无效", "reply_channel")
    urgency_ = _choice(Urgency, urgency, "complaint.invalid_urgency", "紧急程度无效", "urgency")
    cause_ = _cause(cause)
    content = clean_text(content or "").strip()
    if not content:
        raise ValidationError("complaint.content_required", "请填写诉求内容", "content")
    if len(content) > MAX_CONTENT:
        raise ValidationError("complaint.content_too_long",
                              f"诉求内容不能超过 {MAX_CONTENT} 个字", "content")
    subject_text = clean_text(subject.text or "").strip()
    if len(subject_text) > MAX_SUBJECT:
        raise ValidationError("complaint.subject_too_long",
                              f"反映对象不能超过 {MAX_SUBJECT} 个字", "subject")
    now = now or timezone.now()
    office = receiving_office(subject)
    label = actor_label or (getattr(filed_by, "username", "") or channel_.label)
    with transaction.atomic():
        for _ in range(5):
            try:
                with transaction.atomic():
                    item = Submission.objects.create(
                        ref=new_ref(kind_, now), kind=kind_.value, channel=channel_.value,
                        urgency=urgency_.value, status=Status.TRIAGE.value,
                        matter=subject.matter, org=subject.org, window=subject.window,
                        staff=subject.staff, hall=subject.hall, region=subject.region,
                        subject_text=subject_text, content=content,
                        cause=cause_.value if cause_ else "", office=office,
                        office_path=office.path, submitter_id=submitter_id,
                        phone_index=phone_index, reply_channel=reply_.value,
                        filed_by=filed_by, received_at=now, updated_at=now)
                break
            except IntegrityError:  # a reference number drawn twice: draw again
                continue
        else:  # pragma: no cover - six random digits colliding five times
            raise ValidationError("complaint.busy", "系统繁忙，请稍后再试")
        SubmissionEvent.objects.create(
            submission=item, action="receive", to_status=Status.TRIAGE.value,
            actor=filed_by, actor_label=label, public_note=f"已收到您的{kind_.label}",
            payload={"channel": channel_.value, "urgency": urgency_.value,
                     "cause": cause_.value if cause_ else ""}, at=now)
        audit_record(action="complaint.receive", actor=filed_by, actor_label=label, obj=item,
                     after={"ref": item.ref, "kind": kind_.value, "channel": channel_.value,
                            "office": office.pk})
        screen(item, now)
        if item.status == Status.ACCEPTED.value:
            return submission_auto_dispatch(item, now)  # 按责交办 when routing is certain
    return item
