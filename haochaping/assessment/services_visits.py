"""Writes of third-party assessment (第三方评估, issue 15): the office creates a round
with its scoring sheet and assigns windows (or halls) to assessors; an assessor records
each of their own visits; the office accepts or returns each record and publishes the
round as a whole. Keyword-only, atomic, audited; a refusal writes nothing.

Assessors are ``auditor`` accounts of an assessor organisation: they act on the visits
assigned to them only (``Visit.assessor``), whatever their org.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from haochaping.accounts import rules as access
from haochaping.accounts.roles import Role
from haochaping.accounts.scoping import NOWHERE, Actor
from haochaping.assessment import rules
from haochaping.assessment.models import Assessment, SheetItem, Visit, VisitScore
from haochaping.assessment.rules import ItemSpec, Kind, VisitState
from haochaping.assessment.services import checked_items, office_of, title_of
from haochaping.audit.services import audit_record
from haochaping.catalog.models import Hall, Window
from haochaping.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from haochaping.core.localtime import local_day


def assessment_create(*, actor: Actor, title: str, kind: str, start: date, end: date,
                      items: Sequence[ItemSpec], now: datetime) -> Assessment:
    office = office_of(actor)
    title = title_of(title)
    if kind not in {k.value for k in Kind}:
        raise ValidationError("assessment.kind", "请选择评估方式", "kind")
    refusal = rules.period_refusal(start, end)
    if refusal:
        raise ValidationError("assessment.period", refusal, "end")
    items = checked_items(items)
    with transaction.atomic():
        row = Assessment.objects.create(title=title, kind=kind, office=office,
                                        office_path=office.path, start=start, end=end,
                                        created_by=actor.user, created_at=now)
        SheetItem.objects.bulk_create([
            SheetItem(assessment=row, position=n, name=i.name, max_score=i.max_score)
            for n, i in enumerate(items, 1)])
        audit_record(action="assessment.round_create", actor=actor.user,
                     actor_label=actor.label, obj=row,
                     after={"title": title, "kind": kind, "start": start.isoformat(),
                            "end": end.isoformat(),
                            "items": [[i.name, i.max_score] for i in items]})
    return row


def _own_round(actor: Actor, assessment_id: int) -> Assessment:
    row = (Assessment.objects.select_for_update()
           .filter(pk=assessment_id, office_path__startswith=actor.scope_path or NOWHERE)
           .first())
    if row is None:
        raise NotFound("assessment.round_not_found", "评估不存在或不在本机构范围内")
    if row.published_at is not None:
        raise Conflict("assessment.round_published", "评估结果已发布，不能再修改")
    return row


def visit_assign(*, actor: Actor, assessment_id: int, assessor_id: int,
                 window_id: int | None = None, hall_id: int | None = None) -> Visit:
    """A window (or a whole hall) of the office's subtree to an active assessor."""
    office_of(actor)
    assessor = get_user_model().objects.filter(pk=assessor_id, is_active=True,
                                               role=Role.AUDITOR.value).first()
    if assessor is None:
        raise ValidationError("assessment.assessor", "请选择第三方评估人员", "assessor")
    scope_path = actor.scope_path or NOWHERE
    if window_id:
        window = (Window.objects.select_related("hall", "org")
                  .filter(pk=window_id, org__path__startswith=scope_path).first())
        if window is None:
            raise ValidationError("assessment.window", "所选窗口不在本机构管辖范围内", "window")
        hall, org = window.hall, window.org
    elif hall_id:
        found = (Hall.objects.select_related("org")
                 .filter(pk=hall_id, org__path__startswith=scope_path).first())
        if found is None:
            raise ValidationError("assessment.window", "所选大厅不在本机构管辖范围内", "window")
        window, hall, org = None, found, found.org
    else:
        raise ValidationError("assessment.window", "请选择被评估的窗口或大厅", "window")
    with transaction.atomic():
        row = _own_round(actor, assessment_id)
        visit = Visit.objects.create(assessment=row, assessor=assessor, hall=hall,
                                     window=window, org=org, org_path=org.path)
        audit_record(action="assessment.visit_assign", actor=actor.user,
                     actor_label=actor.label, obj=visit,
                     after={"assessment": row.pk, "assessor": assessor.pk, "hall": hall.pk,
                            "window": window.pk if window else None})
    return visit


def visit_record(*, actor: Actor, visit_id: int, visited_at: datetime,
                 scores: dict[int, str], remarks: str, now: datetime) -> Visit:
    """The assessor's record of their own visit: time, a score per sheet item, remarks."""
    if actor.is_client or not actor.allows(access.ASSESSMENT_VISIT, access.WRITE):
        raise PermissionDenied("forbidden.role", "只有第三方评估人员可以记录走访")
    remarks = (remarks or "").strip()
    if not 1 <= len(remarks) <= rules.TEXT_CHARS:
        raise ValidationError("assessment.remarks",
                              f"请填写走访情况（不超过 {rules.TEXT_CHARS} 字）", "remarks")
    with transaction.atomic():
        visit = (Visit.objects.select_for_update().select_related("assessment")
                 .filter(pk=visit_id, assessor=actor.user).first())
        if visit is None or visit.assessment.published_at is not None:
            raise NotFound("assessment.visit_not_found", "走访任务不存在或已结束")
        if VisitState(visit.state) not in rules.RECORDABLE:
            raise Conflict("assessment.visit_recorded", "该走访已记录，待管理机构审核")
        day = local_day(visited_at)
        if not visit.assessment.start <= day <= visit.assessment.end or visited_at > now:
            raise ValidationError("assessment.visited_at",
                                  "走访时间须在评估期间内，且不晚于当前时间", "visited_at")
        items = list(visit.assessment.items.all())
        if set(scores) != {i.pk for i in items}:
            raise ValidationError("assessment.incomplete", "请为每个评分项打分", "items")
        parsed: dict[int, Decimal] = {}
        for item in items:
            value = rules.parse_score(scores[item.pk])
            refusal = rules.score_refusal(value, item.max_score)
            if refusal or value is None:
                raise ValidationError("assessment.score", f"{item.name}：{refusal}",
                                      f"score_{item.pk}")
            parsed[item.pk] = value
        VisitScore.objects.filter(visit=visit).delete()
        VisitScore.objects.bulk_create([VisitScore(visit=visit, item_id=k, score=v)
                                        for k, v in parsed.items()])
        score = rules.normalise(parsed.values(), [i.max_score for i in items])
        Visit.objects.filter(pk=visit.pk).update(
            state=VisitState.RECORDED.value, visited_at=visited_at, remarks=remarks,
            recorded_at=now, score=score)
        audit_record(action="assessment.visit_record", actor=actor.user,
                     actor_label=actor.label, obj=visit,
                     after={"visited_at": visited_at.isoformat(), "score": score,
                            "items": {str(k): str(v) for k, v in parsed.items()}})
    visit.refresh_from_db()
    return visit


def visit_review(*, actor: Actor, visit_id: int, accept: bool, reason: str = "") -> Visit:
    """The office accepts a recorded visit, or returns it to the assessor with a reason."""
    office_of(actor)
    reason = (reason or "").strip()
    if not accept and not 1 <= len(reason) <= rules.REASON_CHARS:
        raise ValidationError("assessment.reason",
                              f"请填写退回原因（不超过 {rules.REASON_CHARS} 字）", "reason")
    with transaction.atomic():
        visit = Visit.objects.filter(pk=visit_id).first()
        if visit is None:
            raise NotFound("assessment.visit_not_found", "走访记录不存在")
        _own_round(actor, visit.assessment_id)
        visit = Visit.objects.select_for_update().get(pk=visit.pk)
        if VisitState(visit.state) is not VisitState.RECORDED:
            raise Conflict("assessment.visit_not_recorded", "只能审核已记录的走访")
        state = VisitState.ACCEPTED if accept else VisitState.RETURNED
        Visit.objects.filter(pk=visit.pk).update(state=state.value,
                                                 return_reason="" if accept else reason)
        audit_record(action="assessment.visit_accept" if accept else "assessment.visit_return",
                     actor=actor.user, actor_label=actor.label, obj=visit,
                     after={"state": state.value, **({"reason": reason} if reason else {})})
    visit.refresh_from_db()
    return visit


def assessment_publish(*, actor: Actor, assessment_id: int, summary: str,
                       now: datetime) -> Assessment:
    """Publish the round's results (public page 第三方评估结果): every visit accepted."""
    office_of(actor)
    summary = (summary or "").strip()
    if len(summary) > rules.TEXT_CHARS:
        raise ValidationError("assessment.summary", f"结果说明不超过 {rules.TEXT_CHARS} 字",
                              "summary")
    with transaction.atomic():
        row = _own_round(actor, assessment_id)
        visits = list(Visit.objects.filter(assessment=row).values_list("state", flat=True))
        if not visits:
            raise ValidationError("assessment.no_visits", "尚未安排走访，不能发布", "summary")
        left = sum(1 for s in visits if s != VisitState.ACCEPTED.value)
        if left:
            raise ValidationError("assessment.unreviewed",
                                  f"尚有 {left} 条走访未审核通过，不能发布", "summary")
        Assessment.objects.filter(pk=row.pk).update(published_at=now, summary=summary)
        audit_record(action="assessment.round_publish", actor=actor.user,
                     actor_label=actor.label, obj=row,
                     after={"published_at": now.isoformat(), "visits": len(visits)})
    row.refresh_from_db()
    return row
