"""The per-person inbox (站内通知): post one event to some people in the caller's
transaction (their preferences decide who gets it, and who also gets an SMS), mark read,
and each person's preferences. The caller composes the text: the order's number and
deadline, never a rater or a submitter (docs/workorders.md "Notifications")."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from haochaping.audit.services import audit_record
from haochaping.core.errors import NotFound, ValidationError
from haochaping.notify import inbox_rules
from haochaping.notify.models import InboxItem, InboxPreference
from haochaping.notify.services.outbox import outbox_enqueue


def _preferences(user_ids: Iterable[int]) -> dict[int, InboxPreference]:
    return {p.user_id: p for p in InboxPreference.objects.filter(user_id__in=list(user_ids))}


def sms_wanted(users: Sequence[Any]) -> list[Any]:
    """Of ``users``, those who keep SMS reminders on (no preference row: on)."""
    prefs = _preferences(u.pk for u in users)
    return [u for u in users if prefs.get(u.pk) is None or prefs[u.pk].sms]


def inbox_post(*, users: Sequence[Any], event: str, text: str, url: str, key: str,
               now: datetime, urgent: bool = False,
               sms: tuple[str, dict[str, str]] | None = None) -> int:
    """Tell ``users`` of ``event`` in the inbox, once per ``key`` and person; those who
    turned the event off get nothing. ``sms`` (template, parameters): also texted to the
    ones with a phone and SMS on when the event is urgent. Returns the rows written."""
    if event not in inbox_rules.EVENTS:
        raise ValidationError("notify.inbox_event", "未知的通知事件", field="event")
    prefs = _preferences(u.pk for u in users)
    told = [u for u in users
            if inbox_rules.wants(prefs[u.pk].muted if u.pk in prefs else (), event)]
    rows = [InboxItem(user_id=u.pk, event=event, text=text[:200], url=url[:200],
                      urgent=urgent, dedupe_key=f"{key}:{u.pk}"[:160], created_at=now)
            for u in told]
    fresh = set(InboxItem.objects.filter(dedupe_key__in=[r.dedupe_key for r in rows])
                .values_list("dedupe_key", flat=True))
    rows = [r for r in rows if r.dedupe_key not in fresh]
    InboxItem.objects.bulk_create(rows, ignore_conflicts=True)
    if sms is not None and urgent:
        template, params = sms
        for user in sms_wanted([u for u in told if getattr(u, "phone", "")]):
            outbox_enqueue(template=template, to=user.phone, params=params,
                           dedupe_key=f"{key}:sms:{user.pk}"[:128])
    return len(rows)


def inbox_open(*, user: Any, item_id: int, now: datetime | None = None) -> InboxItem:
    """One of the user's own notifications, marked read (opening it reads it)."""
    item = InboxItem.objects.filter(pk=item_id, user_id=user.pk).first()
    if item is None:
        raise NotFound("notify.inbox_not_found", "该通知不存在")
    if item.read_at is None:
        item.read_at = now or timezone.now()
        InboxItem.objects.filter(pk=item.pk, read_at__isnull=True).update(read_at=item.read_at)
    return item


def inbox_read_all(*, user: Any, now: datetime | None = None) -> int:
    """Mark every unread notification of the user read; the number marked."""
    return InboxItem.objects.filter(user_id=user.pk, read_at__isnull=True).update(
        read_at=now or timezone.now())


@transaction.atomic
def inbox_preferences_set(*, user: Any, muted: Iterable[str], sms: bool,
                          now: datetime | None = None) -> InboxPreference:
    """Save what the user wants to be told (audited: who turned what off, and when)."""
    unknown = set(muted) - set(inbox_rules.EVENTS)
    if unknown:
        raise ValidationError("notify.inbox_event", "未知的通知事件", field="muted")
    before = InboxPreference.objects.filter(user_id=user.pk).first()
    pref, _ = InboxPreference.objects.update_or_create(
        user_id=user.pk, defaults={"muted": inbox_rules.clean_muted(muted), "sms": bool(sms),
                                   "updated_at": now or timezone.now()})
    audit_record(action="notify.inbox_preferences", actor=user, obj=pref,
                 before={"muted": before.muted, "sms": before.sms} if before else None,
                 after={"muted": pref.muted, "sms": pref.sms})
    return pref
