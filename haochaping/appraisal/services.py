"""Writes of the performance review (绩效考核, issue 15): sheets, runs, publication, privacy
violations and the bottom list's improvement plans. Every write is the office's
(``appraisal`` write, within its org subtree), atomic and audited; a refusal writes
nothing.

A run is computed from the rows (``appraisal.inputs``) for an ended period and may be
recomputed until it is published. Publishing freezes the document the office reviewed:
``PublishedReview`` and its rows are insert-only (database guard), carry the SHA-256 of
the canonical JSON, and every later write to the run or its review is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import NOWHERE, Actor
from haochaping.appraisal import selectors
from haochaping.appraisal.inputs import INPUTS
from haochaping.appraisal.models import (
    ImprovementPlan,
    PrivacyViolation,
    PublishedReview,
    PublishedRow,
    ReviewIndicator,
    ReviewRun,
    ReviewSheet,
)
from haochaping.appraisal.rules import Indicator, Mode, PeriodKind, SubjectKind, indicators_refusal
from haochaping.audit.services import audit_record
from haochaping.catalog.models import Org, Staff
from haochaping.catalog.rules.calendar import add_duration
from haochaping.catalog.selectors.policy import effective_policy
from haochaping.core.errors import Conflict, PermissionDenied, ValidationError
from haochaping.core.localtime import local_day
from haochaping.vault.models import AccessAlert

MAX_TEXT = 1000


def _office(actor: Actor) -> Org:
    if (actor.is_client or actor.scope_path is None or actor.org_id is None
            or not actor.allows(access.APPRAISAL, access.WRITE)):
        raise PermissionDenied("forbidden.role", "只有政务服务管理机构可以组织绩效考核")
    return Org.objects.get(pk=actor.org_id)


def _text(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not 1 <= len(value) <= MAX_TEXT:
        raise ValidationError(f"appraisal.{field}", f"请填写{label}（不超过 {MAX_TEXT} 字）", field)
    return value


def _indicator(raw: dict[str, Any], kind: SubjectKind) -> Indicator:
    source = INPUTS.get(str(raw.get("key", "")))
    if source is None or kind not in source.kinds:
        raise ValidationError("appraisal.indicator", "所选指标不适用于该考核对象", "indicators")
    try:
        mode = Mode(str(raw.get("mode", "")))
        weight = int(raw.get("weight") or 0)
        deduction = Decimal(str(raw.get("deduction") or 0)).quantize(Decimal("0.01"))
    except (ValueError, InvalidOperation):
        raise ValidationError("appraisal.indicator",
                              f"“{source.label}”的计分方式、权重或扣分填写有误",
                              "indicators") from None
    return Indicator(source.key, source.label, source.unit, mode, weight, float(deduction))


def sheet_create(*, actor: Actor, title: str, subject_kind: str, period_kind: str,
                 indicators: Sequence[dict[str, Any]], now: datetime) -> ReviewSheet:
    """A sheet of the office's subtree with its indicators (``rules.indicators_refusal``)."""
    org = _office(actor)
    title = (title or "").strip()
    if not 1 <= len(title) <= 100:
        raise ValidationError("appraisal.title", "方案名称须为 1 至 100 个字", "title")
    try:
        kind, period = SubjectKind(subject_kind), PeriodKind(period_kind)
    except ValueError:
        raise ValidationError("appraisal.kind", "请选择考核对象和考核周期",
                              "subject_kind") from None
    chosen = [_indicator(dict(raw), kind) for raw in indicators]
    refusal = indicators_refusal(chosen)
    if refusal:
        raise ValidationError("appraisal.indicators", refusal, "indicators")
    with transaction.atomic():
        sheet = ReviewSheet.objects.create(title=title, subject_kind=kind.value,
                                           period_kind=period.value, scope=org,
                                           scope_path=org.path, created_by=actor.user,
                                           created_at=now)
        ReviewIndicator.objects.bulk_create([
            ReviewIndicator(sheet=sheet, position=n, input_key=i.key, mode=i.mode.value,
                            weight=i.weight if i.mode is Mode.WEIGHT else 0,
                            deduction=Decimal(str(i.deduction)) if i.mode is Mode.DEDUCT
                            else Decimal(0))
            for n, i in enumerate(chosen, 1)])
        audit_record(action="appraisal.sheet_create", actor=actor.user,
                     actor_label=actor.label, obj=sheet,
                     after={"title": title, "subject_kind": kind.value,
                            "period_kind": period.value, "scope": org.path,
                            "indicators": [[i.key, i.mode.value, i.weight, i.deduction]
                                           for i in chosen]})
    return sheet


def _own_sheet(actor: Actor, sheet: ReviewSheet) -> ReviewSheet:
    fresh = (ReviewSheet.objects.select_for_update()
             .filter(pk=sheet.pk, scope_path__startswith=actor.scope_path or NOWHERE).first())
    if fresh is None:
        raise PermissionDenied("forbidden.scope", "该考核方案不在本机构范围内")
    return fresh


def review_run(*, actor: Actor, sheet: ReviewSheet, start: date, now: datetime) -> ReviewRun:
    """Compute (or recompute) the review of the period beginning ``start``, which must
    have ended; refused once that period's review is published."""
    _office(actor)
    period = PeriodKind(sheet.period_kind)
    if not selectors.period_start_valid(period, start):
        raise ValidationError("appraisal.period", "考核期间须为整季度或整年度", "start")
    end = selectors.period_end(period, start)
    if end >= local_day(now):
        raise ValidationError("appraisal.period_open", "只能考核已经结束的期间", "start")
    with transaction.atomic():
        sheet = _own_sheet(actor, sheet)
        if PublishedReview.objects.filter(sheet=sheet, start=start).exists():
            raise Conflict("appraisal.published", "该期考核结果已发布，不能重新计算或修改")
        content, digest, rows = selectors.review_document(sheet, start, end, now)
        run, created = ReviewRun.objects.update_or_create(
            sheet=sheet, start=start,
            defaults={"end": end, "content": content, "sha256": digest, "computed_at": now,
                      "computed_by": actor.user})
        audit_record(action="appraisal.run", actor=actor.user, actor_label=actor.label,
                     obj=run, after={"sheet": sheet.pk, "start": start.isoformat(),
                                     "end": end.isoformat(), "sha256": digest,
                                     "rows": rows, "recomputed": not created})
    return run


def review_publish(*, actor: Actor, run: ReviewRun, now: datetime) -> PublishedReview:
    """Freeze the run as the office reviewed it: its document and hash copied into the
    insert-only review, one insert-only row per subject."""
    _office(actor)
    with transaction.atomic():
        _own_sheet(actor, run.sheet)
        run = ReviewRun.objects.select_for_update().get(pk=run.pk)
        if PublishedReview.objects.filter(sheet_id=run.sheet_id, start=run.start).exists():
            raise Conflict("appraisal.published", "该期考核结果已发布")
        review = PublishedReview(run=run, sheet_id=run.sheet_id, start=run.start, end=run.end,
                                 content=run.content, sha256=run.sha256, published_at=now,
                                 published_by=actor.user)
        try:
            with transaction.atomic():
                review.save()
        except IntegrityError:
            raise Conflict("appraisal.published", "该期考核结果已发布") from None
        document = selectors.parse(run.content)
        staff = document["sheet"]["subject_kind"] == SubjectKind.STAFF.value
        PublishedRow.objects.bulk_create([
            PublishedRow(review=review, org_id=r["org"], staff_id=r["key"] if staff else None,
                         rank=r["rank"], at_bottom=r["at_bottom"], privacy=r["privacy"],
                         score=None if r["score"] is None else Decimal(str(r["score"])))
            for r in document["rows"]])
        audit_record(action="appraisal.publish", actor=actor.user, actor_label=actor.label,
                     obj=review, after={"sheet": run.sheet_id, "start": run.start.isoformat(),
                                        "sha256": run.sha256,
                                        "rows": len(document["rows"])})
    return review


def violation_record(*, actor: Actor, org_id: int, staff_id: int | None, occurred_on: date,
                     description: str, alert_id: int | None = None,
                     now: datetime) -> PrivacyViolation:
    """A privacy violation of a department or staff member of the subtree (seed 003 §22),
    optionally confirming a vault access alert (once)."""
    _office(actor)
    scope = actor.scope_path or NOWHERE
    org = Org.objects.filter(pk=org_id, path__startswith=scope).first()
    if org is None:
        raise ValidationError("appraisal.org", "请选择本机构范围内的部门", "org")
    if staff_id is not None and not Staff.objects.filter(pk=staff_id, org=org).exists():
        raise ValidationError("appraisal.staff", "所选工作人员不属于该部门", "staff")
    if occurred_on > local_day(now):
        raise ValidationError("appraisal.occurred_on", "发生日期不能晚于今天", "occurred_on")
    description = _text(description, "description", "违规情况")
    if alert_id is not None and not AccessAlert.objects.filter(
            pk=alert_id, org_path__startswith=scope).exists():
        raise ValidationError("appraisal.alert", "该提醒不存在或不在本机构范围内", "alert")
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = PrivacyViolation.objects.create(
                    org=org, staff_id=staff_id, occurred_on=occurred_on,
                    description=description, alert_id=alert_id, recorded_by=actor.user,
                    recorded_at=now)
        except IntegrityError:
            raise Conflict("appraisal.alert_confirmed", "该提醒已认定过") from None
        audit_record(action="appraisal.privacy_violation", actor=actor.user,
                     actor_label=actor.label, obj=row,
                     after={"org": org.pk, "staff": staff_id, "alert": alert_id,
                            "occurred_on": occurred_on.isoformat()})
    return row


def plan_create(*, actor: Actor, review: PublishedReview, org_id: int, staff_id: int | None,
                measures: str, deadline: date | None, now: datetime) -> ImprovementPlan:
    """限期整改 for a subject on the review's bottom list (selectors.bottom_list)."""
    _office(actor)
    listed = {(e.org_id, e.staff_id) for e in selectors.bottom_list(actor, review.sheet)
              if e.review.pk == review.pk}
    if (org_id, staff_id) not in listed:
        raise ValidationError("appraisal.not_listed", "该对象不在本期末位名单中", "subject")
    measures = _text(measures, "measures", "整改措施")
    today = local_day(now)
    if deadline is None:
        limit = effective_policy(review.sheet.scope).appraisal_rectify_limit
        deadline = local_day(add_duration(now, limit))
    if deadline <= today:
        raise ValidationError("appraisal.deadline", "整改期限须晚于今天", "deadline")
    with transaction.atomic():
        _own_sheet(actor, review.sheet)
        try:
            with transaction.atomic():
                plan = ImprovementPlan.objects.create(
                    sheet=review.sheet, review=review, org_id=org_id, staff_id=staff_id,
                    measures=measures, deadline=deadline, created_by=actor.user,
                    created_at=now)
        except IntegrityError:
            raise Conflict("appraisal.plan_exists", "已为该对象制定整改计划") from None
        audit_record(action="appraisal.plan_create", actor=actor.user,
                     actor_label=actor.label, obj=plan,
                     after={"review": review.pk, "org": org_id, "staff": staff_id,
                            "deadline": deadline.isoformat()})
    return plan


def plan_transfer(*, actor: Actor, plan: ImprovementPlan, note: str,
                  now: datetime) -> ImprovementPlan:
    """Record the 调换 of a subject still at the bottom after its plan (seed 000 §15)."""
    _office(actor)
    note = _text(note, "note", "调换情况")
    with transaction.atomic():
        _own_sheet(actor, plan.sheet)
        plan = ImprovementPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.transferred_at is not None:
            raise Conflict("appraisal.transferred", "已记录调换")
        if not selectors.transfer_due(plan):
            raise ValidationError("appraisal.not_due",
                                  "下一期考核结果发布且仍排名末位后，才能记录调换", "note")
        ImprovementPlan.objects.filter(pk=plan.pk).update(
            transferred_at=now, transferred_by=actor.user, transfer_note=note)
        audit_record(action="appraisal.plan_transfer", actor=actor.user,
                     actor_label=actor.label, obj=plan, after={"note": note})
    plan.refresh_from_db()
    return plan
