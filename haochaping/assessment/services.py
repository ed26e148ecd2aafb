"""Writes of self-assessment (自评, issue 15): the office creates a form and publishes it
to orgs of its subtree; each org saves and submits its scores with evidence; the office
scores each item or returns the self-assessment with a reason. Keyword-only, atomic,
audited; a refusal writes nothing. The third-party side is in ``services_visits``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import NOWHERE, Actor
from haochaping.assessment import rules
from haochaping.assessment.models import SelfAnswer, SelfEntry, SelfForm, SelfItem
from haochaping.assessment.rules import EntryState, ItemSpec
from haochaping.audit.services import audit_record
from haochaping.catalog.models import Org
from haochaping.core import uploads
from haochaping.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    RuleViolation,
    ValidationError,
)
from haochaping.core.localtime import local_day

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def office_of(actor: Actor) -> Org:
    """The acting office (``assessment`` write, an org subtree), or a refusal."""
    if (actor.is_client or actor.scope_path is None or actor.org_id is None
            or not actor.allows(access.ASSESSMENT, access.WRITE)):
        raise PermissionDenied("forbidden.role", "只有政务服务管理机构可以组织自评和第三方评估")
    return Org.objects.get(pk=actor.org_id)


def title_of(title: str) -> str:
    title = (title or "").strip()
    if not 1 <= len(title) <= 100:
        raise ValidationError("assessment.title", "名称须为 1 至 100 个字", "title")
    return title


def checked_items(items: Sequence[ItemSpec]) -> list[ItemSpec]:
    items = [ItemSpec(i.name.strip(), i.max_score, (i.guidance or "").strip()) for i in items]
    refusal = rules.items_refusal(items)
    if refusal:
        raise ValidationError("assessment.items", refusal, "items")
    return items


def self_form_create(*, actor: Actor, title: str, start: date, end: date, deadline: date,
                     items: Sequence[ItemSpec], now: datetime) -> SelfForm:
    """A draft form of the office; its items may be the defaults, edited."""
    office = office_of(actor)
    title = title_of(title)
    refusal = rules.period_refusal(start, end, deadline)
    if refusal:
        raise ValidationError("assessment.period", refusal, "end")
    items = checked_items(items)
    with transaction.atomic():
        form = SelfForm.objects.create(title=title, office=office, office_path=office.path,
                                       start=start, end=end, deadline=deadline,
                                       created_by=actor.user, created_at=now)
        SelfItem.objects.bulk_create([
            SelfItem(form=form, position=n, name=i.name, max_score=i.max_score,
                     guidance=i.guidance) for n, i in enumerate(items, 1)])
        audit_record(action="assessment.form_create", actor=actor.user,
                     actor_label=actor.label, obj=form,
                     after={"title": title, "start": start.isoformat(), "end": end.isoformat(),
                            "deadline": deadline.isoformat(),
                            "items": [[i.name, i.max_score] for i in items]})
    return form


def _own_form(actor: Actor, form_id: int) -> SelfForm:
    form = (SelfForm.objects.select_for_update()
            .filter(pk=form_id, office_path__startswith=actor.scope_path or NOWHERE).first())
    if form is None:
        raise NotFound("assessment.form_not_found", "自评表不存在或不在本机构范围内")
    return form


def self_form_publish(*, actor: Actor, form_id: int, org_ids: Sequence[int],
                      now: datetime) -> SelfForm:
    """Publish the form once to orgs of the office's subtree: each gets its entry."""
    office_of(actor)
    wanted = sorted(set(org_ids))
    if not wanted:
        raise ValidationError("assessment.orgs", "请选择至少一个填报单位", "orgs")
    with transaction.atomic():
        form = _own_form(actor, form_id)
        if form.published_at is not None:
            raise Conflict("assessment.published", "该自评表已发布")
        if local_day(now) > form.deadline:
            raise ValidationError("assessment.deadline", "填报截止日期已过，不能发布", "orgs")
        orgs = list(Org.objects.filter(pk__in=wanted, is_active=True,
                                       path__startswith=actor.scope_path or NOWHERE))
        if len(orgs) != len(wanted):
            raise PermissionDenied("forbidden.scope", "所选单位不在本机构管辖范围内")
        items = list(form.items.all())
        for org in orgs:
            entry = SelfEntry.objects.create(form=form, org=org, org_path=org.path)
            SelfAnswer.objects.bulk_create([SelfAnswer(entry=entry, item=i) for i in items])
        SelfForm.objects.filter(pk=form.pk).update(published_at=now)
        audit_record(action="assessment.form_publish", actor=actor.user,
                     actor_label=actor.label, obj=form,
                     after={"published_at": now.isoformat(), "orgs": [o.pk for o in orgs]})
    form.refresh_from_db()
    return form


def _own_entry(actor: Actor, entry_id: int) -> SelfEntry:
    """The org's own entry, locked: ``self_assessment`` write inside its subtree."""
    if (actor.is_client or actor.scope_path is None
            or not actor.allows(access.SELF_ASSESSMENT, access.WRITE)):
        raise PermissionDenied("forbidden.role", "当前角色无权填报自评")
    entry = (SelfEntry.objects.select_for_update().select_related("form")
             .filter(pk=entry_id, org_path__startswith=actor.scope_path).first())
    if entry is None:
        raise NotFound("assessment.entry_not_found", "自评表不存在")
    return entry


def _attachment(upload: Any) -> tuple[str, str]:
    """A file judged by its content (``core.uploads``): its safe name and SHA-256."""
    size = int(upload.size or 0)
    if not 0 < size <= MAX_ATTACHMENT_BYTES:
        raise ValidationError("assessment.attachment_size", "佐证材料须为 1 字节至 20 MB",
                              "attachment")
    try:
        kind = uploads.kind_of(upload)
    except RuleViolation as exc:
        raise ValidationError(exc.code, exc.message, "attachment") from None
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return uploads.safe_name(upload.name or "", kind), digest.hexdigest()


def self_entry_save(*, actor: Actor, entry_id: int, answers: dict[int, tuple[str, str]],
                    attachments: dict[int, Any] | None = None, submit: bool,
                    now: datetime) -> SelfEntry:
    """Save the org's scores and evidence (item id → (score as typed, evidence)); with
    ``submit`` every item needs a score and the entry goes to the office. Until the
    deadline, or after it once the office has returned the entry."""
    attachments = attachments or {}
    with transaction.atomic():
        entry = _own_entry(actor, entry_id)
        if EntryState(entry.state) not in rules.FILLABLE:
            raise Conflict("assessment.not_fillable", "该自评表已提交，不能修改")
        if (EntryState(entry.state) is EntryState.PENDING
                and rules.is_late(entry.form.deadline, local_day(now))):
            raise ValidationError("assessment.late", "已过填报截止日期，请联系管理机构", "items")
        rows = {a.item_id: a for a in entry.answers.select_related("item")}
        if set(answers) - set(rows) or set(attachments) - set(rows):
            raise ValidationError("assessment.items", "评分项与自评表不符", "items")
        files = {k: _attachment(v) for k, v in attachments.items() if v is not None}
        for item_id, (raw, evidence) in answers.items():
            row = rows[item_id]
            evidence = (evidence or "").strip()
            if len(evidence) > rules.TEXT_CHARS:
                raise ValidationError("assessment.evidence",
                                      f"{row.item.name}：佐证说明不超过 {rules.TEXT_CHARS} 字",
                                      f"evidence_{item_id}")
            score = rules.parse_score(raw) if (raw or "").strip() else None
            if (raw or "").strip():
                refusal = rules.score_refusal(score, row.item.max_score)
                if refusal:
                    raise ValidationError("assessment.score", f"{row.item.name}：{refusal}",
                                          f"score_{item_id}")
            row.self_score, row.evidence = score, evidence
        for item_id, (name, sha) in files.items():
            row = rows[item_id]
            row.attachment.save(name, attachments[item_id], save=False)
            row.attachment_name, row.attachment_sha256 = name, sha
        missing = [r.item.name for r in rows.values() if r.self_score is None]
        if submit and missing:
            raise ValidationError("assessment.incomplete", f"请填写自评分：{'、'.join(missing)}",
                                  "items")
        for row in rows.values():
            row.save()
        fields: dict[str, Any] = {}
        if submit:
            fields = {"state": EntryState.SUBMITTED.value, "submitted_at": now,
                      "submitted_by": actor.user, "self_score": rules.normalise(
                          [r.self_score or Decimal(0) for r in rows.values()],
                          [r.item.max_score for r in rows.values()])}
            SelfEntry.objects.filter(pk=entry.pk).update(**fields)
        audit_record(action="assessment.entry_submit" if submit else "assessment.entry_save",
                     actor=actor.user, actor_label=actor.label, obj=entry,
                     after={"scores": {str(k): str(rows[k].self_score) for k in answers},
                            "attachments": {str(k): v[1] for k, v in files.items()},
                            **({"self_score": fields["self_score"]} if submit else {})})
    entry.refresh_from_db()
    return entry


def _submitted(actor: Actor, entry_id: int) -> SelfEntry:
    office_of(actor)
    entry = (SelfEntry.objects.select_for_update()
             .filter(pk=entry_id, form__office_path__startswith=actor.scope_path or NOWHERE,
                     org_path__startswith=actor.scope_path or NOWHERE).first())
    if entry is None:
        raise NotFound("assessment.entry_not_found", "自评表不存在或不在本机构范围内")
    if EntryState(entry.state) is not EntryState.SUBMITTED:
        raise Conflict("assessment.not_submitted", "只能审核已提交的自评表")
    return entry


def self_entry_review(*, actor: Actor, entry_id: int, scores: dict[int, tuple[str, str]],
                      now: datetime) -> SelfEntry:
    """The office scores every item (item id → (score as typed, note)); the entry's score
    is the office's points over the points possible, 0–100."""
    with transaction.atomic():
        entry = _submitted(actor, entry_id)
        rows = {a.item_id: a for a in entry.answers.select_related("item")}
        if set(scores) != set(rows):
            raise ValidationError("assessment.incomplete", "请为每个评分项打分", "items")
        for item_id, (raw, note) in scores.items():
            row = rows[item_id]
            score = rules.parse_score(raw)
            refusal = rules.score_refusal(score, row.item.max_score)
            if refusal:
                raise ValidationError("assessment.score", f"{row.item.name}：{refusal}",
                                      f"score_{item_id}")
            note = (note or "").strip()
            if len(note) > rules.REASON_CHARS:
                raise ValidationError("assessment.note", f"审核意见不超过 {rules.REASON_CHARS} 字",
                                      f"note_{item_id}")
            row.office_score, row.office_note = score, note
        for row in rows.values():
            row.save(update_fields=["office_score", "office_note"])
        total = rules.normalise([r.office_score or Decimal(0) for r in rows.values()],
                                [r.item.max_score for r in rows.values()])
        SelfEntry.objects.filter(pk=entry.pk).update(
            state=EntryState.SCORED.value, reviewed_at=now, reviewed_by=actor.user,
            score=total, return_reason="")
        audit_record(action="assessment.entry_score", actor=actor.user,
                     actor_label=actor.label, obj=entry,
                     after={"score": total,
                            "items": {str(k): str(r.office_score) for k, r in rows.items()}})
    entry.refresh_from_db()
    return entry


def self_entry_return(*, actor: Actor, entry_id: int, reason: str,
                      now: datetime) -> SelfEntry:
    """Back to the org with the office's reason; it may then change and submit again."""
    reason = (reason or "").strip()
    if not 1 <= len(reason) <= rules.REASON_CHARS:
        raise ValidationError("assessment.reason",
                              f"请填写退回原因（不超过 {rules.REASON_CHARS} 字）", "reason")
    with transaction.atomic():
        entry = _submitted(actor, entry_id)
        SelfEntry.objects.filter(pk=entry.pk).update(
            state=EntryState.RETURNED.value, return_reason=reason, reviewed_at=now,
            reviewed_by=actor.user)
        audit_record(action="assessment.entry_return", actor=actor.user,
                     actor_label=actor.label, obj=entry, after={"reason": reason})
    entry.refresh_from_db()
    return entry
