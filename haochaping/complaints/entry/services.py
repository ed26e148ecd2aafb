"""Office entry and 监督员 filing: both end in ``intake.submission_receive``.

The office types in what the 12345 hotline, the counter, the suggestion boxes and the
forums received (issue 14 "Intake"); the submitter's name and phone go into the rater
vault (the office vouches for them: no SMS code), ``filed_by`` is the office user. A
政务服务监督员 files from their own account (seed 001), their identity taken from the
account. Everything is checked before anything is written; the vault row and the item
commit together or not at all; the intake audits the item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from haochaping.accounts.scoping import Actor
from haochaping.catalog.models import Matter, Org, Staff, Window
from haochaping.complaints.entry import rules
from haochaping.complaints.entry.selectors import filing_check, in_scope, office_check
from haochaping.complaints.models import Submission
from haochaping.complaints.rules.kinds import Channel, ReplyChannel, SubmissionKind, Urgency
from haochaping.complaints.services.intake import Subject, submission_receive
from haochaping.core.errors import ValidationError
from haochaping.vault.applicant import Applicant, check_applicant, phone_valid
from haochaping.vault.identity import normalise_name, normalise_phone
from haochaping.vault.services import identity_index_of, phone_index_of, raters_upsert

_NAMES = {n: n for n in ("applicant_kind", "applicant_name", "applicant_id_no",
                         "applicant_phone")}


@dataclass(frozen=True)
class SubjectIds:
    org_id: int | None = None
    window_id: int | None = None
    staff_id: int | None = None
    matter_id: int | None = None
    text: str = ""

    @property
    def empty(self) -> bool:
        return not (self.org_id or self.window_id or self.staff_id or self.matter_id
                    or self.text.strip())


@dataclass(frozen=True)
class EntryInput:
    """One item as the office typed it in (``forms.entry_input``)."""

    channel: str
    kind: str
    content: str
    subject: SubjectIds
    urgency: str = Urgency.NORMAL.value
    reply_channel: str = ReplyChannel.SMS.value
    name: str = ""
    phone: str = ""
    cause: str = ""  # rules.causes (optional)


def _pick(actor: Actor, model: type[Any], pk: int | None, field: str, label: str) -> Any:
    if pk is None:
        return None
    row = in_scope(actor, model, pk)
    if row is None:
        raise ValidationError("complaint.entry.subject_out_of_scope",
                              f"所选{label}不存在或不在本机构管辖范围内", field)
    return row


def subject_resolve(actor: Actor, ids: SubjectIds) -> Subject:
    """The subject's rows, each inside the actor's subtree and belonging to the chosen
    org (a window, staff member or matter of another department is refused)."""
    org: Org | None = _pick(actor, Org, ids.org_id, "org_id", "部门")
    window: Window | None = _pick(actor, Window, ids.window_id, "window_id", "窗口")
    staff: Staff | None = _pick(actor, Staff, ids.staff_id, "staff_id", "工作人员")
    matter: Matter | None = _pick(actor, Matter, ids.matter_id, "matter_id", "事项")
    for row, field, label in ((window, "window_id", "窗口"), (staff, "staff_id", "工作人员"),
                              (matter, "matter_id", "事项")):
        if row is None:
            continue
        if org is None:
            org = row.org
        elif row.org_id != org.pk:
            raise ValidationError("complaint.entry.subject_mismatch",
                                  f"所选{label}不属于所选部门", field)
    return Subject(matter=matter, org=org, window=window, staff=staff,
                   hall=window.hall if window is not None else None, text=ids.text)


def _applicant(name: str, phone: str) -> Applicant:
    app, problems = check_applicant("1", name, "", "", phone, _NAMES)
    if app is None:  # the checks above make this unreachable; keep the vault's word
        raise ValidationError("complaint.entry.submitter_invalid", problems[0].message,
                              "name")
    return app


def _submitter(name: str, phone: str, *, required: bool) -> Applicant | None:
    name, phone = normalise_name(name), normalise_phone(phone)
    if not (name or phone) and not required:
        return None
    if not name:
        message = "请填写诉求人姓名" if required else "留下联系电话的，请同时填写姓名"
        raise ValidationError("complaint.entry.name_required", message, "name")
    if len(name) > 50:
        raise ValidationError("complaint.entry.name_too_long", "诉求人姓名不能超过 50 个字",
                              "name")
    if not phone:
        message = "请填写诉求人联系电话" if required else "留下姓名的，请同时填写联系电话"
        raise ValidationError("complaint.entry.phone_required", message, "phone")
    if not phone_valid(phone):
        raise ValidationError("complaint.entry.phone_invalid",
                              "联系电话格式不正确（11 位手机号或带区号的固定电话）", "phone")
    return _applicant(name, phone)


def _enum(enum: type[Any], value: str, allowed: tuple[Any, ...], code: str, message: str,
          field: str) -> Any:
    try:
        chosen = enum(value)
    except ValueError:
        raise ValidationError(code, message, field) from None
    if chosen not in allowed:
        raise ValidationError(code, message, field)
    return chosen


def _store(app: Applicant | None) -> tuple[int | None, str]:
    if app is None:
        return None, ""
    index = identity_index_of(app)
    return raters_upsert({index: app})[index], phone_index_of(app.phone)


def office_entry_receive(*, actor: Actor, entry: EntryInput,
                         now: datetime | None = None) -> Submission:
    """The office enters one item received by phone, at the counter, in a suggestion box
    or at a forum."""
    office_check(actor)
    channel: Channel = _enum(Channel, entry.channel, rules.ENTRY_CHANNELS,
                             "complaint.entry.invalid_channel", "请选择来源渠道", "channel")
    kind: SubmissionKind = _enum(SubmissionKind, entry.kind, rules.ENTRY_KINDS[channel],
                                 "complaint.entry.kind_not_allowed",
                                 f"{channel.label}不能录入此类诉求，请重新选择类型", "kind")
    app = _submitter(entry.name, entry.phone, required=rules.submitter_required(channel))
    if app is None:
        reply = rules.ANONYMOUS_REPLY
    else:
        reply = _enum(ReplyChannel, entry.reply_channel, rules.ENTRY_REPLY_CHANNELS,
                      "complaint.invalid_reply_channel", "请选择答复方式（短信或电话）",
                      "reply_channel")
    if kind is SubmissionKind.COMPLAINT and entry.subject.empty:
        raise ValidationError("complaint.entry.subject_required",
                              "投诉请选择被投诉的部门、窗口、工作人员或事项，或填写反映对象",
                              "subject")
    subject = subject_resolve(actor, entry.subject)
    with transaction.atomic():
        submitter_id, phone_index = _store(app)
        return submission_receive(kind=kind, channel=channel, content=entry.content,
                                  subject=subject, submitter_id=submitter_id,
                                  phone_index=phone_index, reply_channel=reply,
                                  urgency=entry.urgency, filed_by=actor.user,
                                  actor_label=actor.label, now=now, cause=entry.cause)


def monitor_file(*, actor: Actor, kind: str, content: str, subject: SubjectIds,
                 urgency: str = Urgency.NORMAL.value, cause: str = "",
                 now: datetime | None = None) -> Submission:
    """A 政务服务监督员 files an item from their own account: the submitter is the
    account's person (in the vault when the account has a valid phone, else none). The
    问题类别 is optional, as at every other intake."""
    filing_check(actor)
    kind_: SubmissionKind = _enum(SubmissionKind, kind, rules.MONITOR_KINDS,
                                  "complaint.entry.kind_not_allowed",
                                  "请选择综合点评、建议或投诉", "kind")
    resolved = subject_resolve(actor, subject)
    user = actor.user
    name = normalise_name(user.get_full_name() or user.username)
    phone = normalise_phone(getattr(user, "phone", "") or "")
    app = _applicant(name, phone) if phone and phone_valid(phone) else None
    with transaction.atomic():
        submitter_id, phone_index = _store(app)
        return submission_receive(kind=kind_, channel=Channel.MONITOR, content=content,
                                  subject=resolved, submitter_id=submitter_id,
                                  phone_index=phone_index,
                                  reply_channel=ReplyChannel.APP, urgency=urgency,
                                  filed_by=user, actor_label=actor.label, now=now,
                                  cause=cause)
