"""The audit admin is read-only and for the audit administrator (三员分立)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from haochaping.audit.models import AuditEvent
from haochaping.audit.services import audit_record

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/audit/auditevent/"


@pytest.fixture
def event() -> AuditEvent:
    return audit_record(action="standard.activate", actor_label="管理员",
                        object_type="catalog.standardversion", object_id=7,
                        after={"active": "national-v2"})


def test_admin_lists_filters_and_searches(client: Client, personas: SimpleNamespace,
                                          event: AuditEvent) -> None:
    client.force_login(personas.audit_admin)
    page = client.get(CHANGELIST, {"action": "standard.activate", "q": "standardversion"})
    assert page.status_code == 200
    assert "standard.activate" in page.content.decode()
    detail = client.get(f"{CHANGELIST}{event.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()


def test_admin_cannot_add_change_or_delete(client: Client, personas: SimpleNamespace,
                                           event: AuditEvent) -> None:
    client.force_login(personas.audit_admin)  # logging in appends an event of its own
    before = list(AuditEvent.objects.values_list("seq", "action", "hash"))
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.post(f"{CHANGELIST}{event.pk}/change/",
                       {"action": "rewritten"}).status_code == 403
    assert client.post(f"{CHANGELIST}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(CHANGELIST, {"action": "delete_selected",
                                    "_selected_action": [event.pk], "post": "yes"}
                       ).status_code in {200, 302}
    # Nothing changed; only the reads of the list page were appended (audit.read).
    after = list(AuditEvent.objects.values_list("seq", "action", "hash"))
    assert after[:len(before)] == before
    assert {action for _, action, _ in after[len(before):]} <= {"audit.read"}
    assert AuditEvent.objects.get(pk=event.pk).hash == event.hash


def test_every_read_of_the_log_is_recorded(client: Client, personas: SimpleNamespace,
                                           event: AuditEvent) -> None:
    client.force_login(personas.audit_admin)
    assert client.get(CHANGELIST, {"action": "x"}).status_code == 200
    assert client.get(f"{CHANGELIST}{event.pk}/change/").status_code == 200
    reads = list(AuditEvent.objects.filter(action="audit.read").order_by("id")
                 .values_list("actor_id", "after"))
    assert reads == [(personas.audit_admin.pk, {"view": "list", "query": {"action": ["x"]}}),
                     (personas.audit_admin.pk, {"view": "event", "event": str(event.pk)})]


@pytest.mark.parametrize("persona", ["admin", "security"])
def test_the_other_administrators_cannot_browse_the_log(client: Client,
                                                        personas: SimpleNamespace,
                                                        event: AuditEvent, persona: str) -> None:
    client.force_login(getattr(personas, persona))
    assert client.get(CHANGELIST).status_code == 403
    assert not AuditEvent.objects.filter(action="audit.read").exists()


def test_other_staff_cannot_browse_the_log(client: Client, personas: SimpleNamespace,
                                           event: AuditEvent) -> None:
    client.force_login(personas.supervisor)
    assert client.get(CHANGELIST).status_code == 403
