"""The per-person inbox (notify.services.inbox): preferences decide who is told and who
is texted, each event once per person, a person reads and marks their own only."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from haochaping.audit.models import AuditEvent
from haochaping.core.errors import NotFound, ValidationError
from haochaping.notify import inbox_rules
from haochaping.notify.models import InboxItem, InboxPreference, OutboxMessage
from haochaping.notify.selectors import inbox_for, inbox_preference, inbox_unread_count
from haochaping.notify.services.inbox import (
    inbox_open,
    inbox_post,
    inbox_preferences_set,
    inbox_read_all,
)

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
SMS = ("workorder_urgent", {"ticket": "差评-20261207-000001", "deadline": "2026-12-08 10:00"})


def test_rules_keep_known_events_in_order() -> None:
    assert inbox_rules.clean_muted(["overdue", "bogus", "new"]) == ["new", "overdue"]
    assert inbox_rules.wants([], "new")
    assert not inbox_rules.wants(["new"], "new")


def test_post_respects_preferences_and_is_once_per_key(personas: SimpleNamespace) -> None:
    handler, head = personas.handler, personas.head
    handler.phone, head.phone = "13900001111", "13900002222"
    handler.save(update_fields=["phone"])
    head.save(update_fields=["phone"])
    inbox_preferences_set(user=head, muted=["new"], sms=True)
    told = inbox_post(users=[handler, head], event="new", text="新差评工单 差评-20261207-000001",
                      url="/work/orders/1/", key="wo-new:1:a", now=NOW, urgent=True, sms=SMS)
    assert told == 1  # the head turned "new" off
    assert list(InboxItem.objects.values_list("user_id", flat=True)) == [handler.pk]
    assert OutboxMessage.objects.count() == 1  # texted: told, with a phone, SMS on
    again = inbox_post(users=[handler, head], event="new", text="x", url="/", key="wo-new:1:a",
                       now=NOW, urgent=True, sms=SMS)
    assert again == 0
    assert InboxItem.objects.count() == 1
    assert OutboxMessage.objects.count() == 1
    inbox_preferences_set(user=handler, muted=[], sms=False)
    inbox_post(users=[handler], event="warning", text="将到期", url="/", key="wo-warn:1",
               now=NOW, urgent=True, sms=SMS)
    assert InboxItem.objects.count() == 2
    assert OutboxMessage.objects.count() == 1
    assert inbox_unread_count(handler) == 2
    assert inbox_unread_count(head) == 0


def test_a_person_opens_and_marks_only_their_own(personas: SimpleNamespace) -> None:
    handler, outsider = personas.handler, personas.outsider
    inbox_post(users=[handler, outsider], event="returned", text="退回", url="/work/orders/1/",
               key="k", now=NOW)
    mine = InboxItem.objects.get(user=handler)
    with pytest.raises(NotFound):
        inbox_open(user=outsider, item_id=mine.pk)
    assert InboxItem.objects.get(pk=mine.pk).read_at is None
    assert inbox_open(user=handler, item_id=mine.pk, now=NOW).read_at == NOW
    assert inbox_unread_count(handler) == 0
    assert inbox_unread_count(outsider) == 1
    assert inbox_read_all(user=outsider, now=NOW) == 1
    assert inbox_for(outsider, unread_only=True) == []
    assert len(inbox_for(outsider)) == 1


def test_preferences_are_checked_and_audited(personas: SimpleNamespace) -> None:
    handler = personas.handler
    assert inbox_preference(handler) == ([], True)
    with pytest.raises(ValidationError):
        inbox_preferences_set(user=handler, muted=["everything"], sms=False)
    assert not InboxPreference.objects.exists()
    inbox_preferences_set(user=handler, muted=["overdue", "new"], sms=False)
    assert inbox_preference(handler) == (["new", "overdue"], False)
    event = AuditEvent.objects.filter(action="notify.inbox_preferences").get()
    assert event.after == {"muted": ["new", "overdue"], "sms": False}
    with pytest.raises(ValidationError):
        inbox_post(users=[handler], event="party", text="x", url="/", key="k", now=NOW)
