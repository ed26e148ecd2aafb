"""Activating a standard version: admin only, one active, audited."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.catalog.models import StandardVersion
from haochaping.catalog.selectors.standards import active_standard
from haochaping.catalog.services.standards import standard_version_activate
from haochaping.core.errors import PermissionDenied


def _active_codes() -> list[str]:
    return list(StandardVersion.objects.filter(is_active=True).values_list("code", flat=True))


@pytest.mark.django_db
def test_activation_switches_exactly_one_and_is_audited(personas: SimpleNamespace) -> None:
    retired = StandardVersion.objects.get(code="national-2020")
    events_before = AuditEvent.objects.count()

    standard_version_activate(actor=actor_for_user(personas.admin), version=retired)

    assert _active_codes() == ["national-2020"]
    assert active_standard().code == "national-2020"
    previous = StandardVersion.objects.get(code="national-v2")
    assert previous.valid_to is not None
    event = AuditEvent.objects.get(seq=events_before + 1)
    assert event.action == "standard.activate"
    assert event.actor_id == personas.admin.pk
    assert event.object_id == str(retired.pk)
    assert event.before == {"active": "national-v2"}
    assert event.after == {"active": "national-2020"}


@pytest.mark.django_db
def test_activating_the_active_version_changes_nothing(personas: SimpleNamespace) -> None:
    current = active_standard()
    events_before = AuditEvent.objects.count()
    standard_version_activate(actor=actor_for_user(personas.admin), version=current)
    assert _active_codes() == ["national-v2"]
    assert AuditEvent.objects.count() == events_before


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["supervisor", "handler", "auditor", "window_staff"])
def test_non_admin_is_refused_and_nothing_changes(personas: SimpleNamespace,
                                                  persona: str) -> None:
    retired = StandardVersion.objects.get(code="national-2020")
    events_before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied) as exc:
        standard_version_activate(actor=actor_for_user(getattr(personas, persona)),
                                  version=retired)
    assert exc.value.code == "forbidden.role"
    assert _active_codes() == ["national-v2"]
    assert StandardVersion.objects.get(code="national-v2").valid_to is None
    assert AuditEvent.objects.count() == events_before
