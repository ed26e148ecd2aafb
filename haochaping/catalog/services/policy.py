"""Writes to policy overrides and the working-day calendar (office-edited data).

Values are validated by ``catalog.rules.policies`` before anything is written; every
change is audited in the same transaction. A policy override for an org needs
``policy:write`` inside the actor's subtree; deployment-wide overrides and calendar days
have no org, so only the system admin may change them (``accounts.scoping.require``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, require
from haochaping.audit.services import audit_record
from haochaping.catalog.models import CalendarOverride, Org, PolicyOverride
from haochaping.catalog.rules.policies import PolicyError, validate_override
from haochaping.core.errors import NotFound, ValidationError

POLICY_NOTE_MAX = PolicyOverride._meta.get_field("note").max_length or 200
CALENDAR_NOTE_MAX = CalendarOverride._meta.get_field("note").max_length or 100


def _check_note(note: str, limit: int) -> str:
    if not isinstance(note, str):
        raise ValidationError("policy.invalid_note", "说明须为文本", "note")
    note = note.strip()
    if len(note) > limit:
        raise ValidationError("policy.invalid_note", f"说明不能超过 {limit} 个字", "note")
    return note


def _override_state(row: PolicyOverride) -> dict[str, Any]:
    return {"org": row.org.code if row.org else None, "key": row.key, "value": row.value,
            "note": row.note}


def policy_override_set(*, actor: Actor, org: Org | None, key: str, value: object,
                        note: str = "") -> PolicyOverride:
    """Override one policy value for ``org`` and its subtree (None: the deployment)."""
    require(actor, access.POLICY, access.WRITE, org.path if org is not None else None)
    try:
        stored = validate_override(key, value)
    except PolicyError as exc:
        raise ValidationError(exc.code, exc.message, exc.field or "value") from exc
    note = _check_note(note, POLICY_NOTE_MAX)
    with transaction.atomic():
        row = PolicyOverride.objects.select_for_update().filter(org=org, key=key).first()
        before = _override_state(row) if row is not None else None
        if row is None:
            row = PolicyOverride.objects.create(org=org, key=key, value=stored, note=note)
        else:
            row.value, row.note = stored, note
            row.save(update_fields=["value", "note", "updated_at"])
        audit_record(action="policy.override_set", actor=actor.user, actor_label=actor.label,
                     obj=row, before=before, after=_override_state(row))
    return row


def policy_override_clear(*, actor: Actor, org: Org | None, key: str) -> None:
    """Remove an override: the value is inherited again from above."""
    require(actor, access.POLICY, access.WRITE, org.path if org is not None else None)
    with transaction.atomic():
        row = PolicyOverride.objects.select_for_update().filter(org=org, key=key).first()
        if row is None:
            raise NotFound("policy.override_not_found", "该政策覆盖不存在")
        before = _override_state(row)
        row_id = row.pk
        row.delete()
        audit_record(action="policy.override_clear", actor=actor.user,
                     actor_label=actor.label, object_type="catalog.policyoverride",
                     object_id=row_id, before=before)


def _day_state(row: CalendarOverride) -> dict[str, Any]:
    return {"date": row.date.isoformat(), "is_workday": row.is_workday, "note": row.note}


def _check_day(day: object) -> date:
    if not isinstance(day, date) or isinstance(day, datetime):
        raise ValidationError("calendar.invalid_date", "日期格式不正确", "date")
    return day


def calendar_override_set(*, actor: Actor, day: date, is_workday: bool,
                          note: str = "") -> CalendarOverride:
    """Mark one day as a working day or a rest day, overriding the calendar package."""
    require(actor, access.POLICY, access.WRITE, None)
    day = _check_day(day)
    if not isinstance(is_workday, bool):
        raise ValidationError("calendar.invalid_value", "“是否工作日”须为是或否", "is_workday")
    note = _check_note(note, CALENDAR_NOTE_MAX)
    with transaction.atomic():
        row = CalendarOverride.objects.select_for_update().filter(date=day).first()
        before = _day_state(row) if row is not None else None
        if row is None:
            row = CalendarOverride.objects.create(date=day, is_workday=is_workday, note=note)
        else:
            row.is_workday, row.note = is_workday, note
            row.save(update_fields=["is_workday", "note"])
        audit_record(action="calendar.override_set", actor=actor.user,
                     actor_label=actor.label, obj=row, before=before, after=_day_state(row))
    return row


def calendar_override_clear(*, actor: Actor, day: date) -> None:
    """Remove an office-edited day: the package (or the weekend fallback) applies again."""
    require(actor, access.POLICY, access.WRITE, None)
    day = _check_day(day)
    with transaction.atomic():
        row = CalendarOverride.objects.select_for_update().filter(date=day).first()
        if row is None:
            raise NotFound("calendar.override_not_found", "该日期没有工作日历调整")
        before = _day_state(row)
        row_id = row.pk
        row.delete()
        audit_record(action="calendar.override_clear", actor=actor.user,
                     actor_label=actor.label, object_type="catalog.calendaroverride",
                     object_id=row_id, before=before)
