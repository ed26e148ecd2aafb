"""Access's audit hook table: filled by audit at start-up, failing closed when empty."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from haochaping.accounts import hooks
from haochaping.audit.models import AuditEvent
from haochaping.audit.services import audit_record


def test_audit_fills_the_hook_at_start_up() -> None:
    assert hooks._recorder == [audit_record]


@pytest.mark.django_db
def test_record_appends_an_audit_event() -> None:
    hooks.record(action="accounts.test_event", actor_label="test", object_type="accounts.user",
                 object_id="7", after={"x": 1})
    event = AuditEvent.objects.get(action="accounts.test_event")
    assert (event.object_type, event.object_id, event.after) == ("accounts.user", "7", {"x": 1})


def test_without_a_recorder_an_account_change_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hooks, "_recorder", [])
    with pytest.raises(ImproperlyConfigured):
        hooks.record(action="accounts.test_event", actor_label="test")
