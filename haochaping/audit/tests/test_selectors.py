"""object_history: audit-log readers, scoped to the object's org."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.selectors import object_history
from haochaping.audit.services import audit_record
from haochaping.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(locality: SimpleNamespace) -> SimpleNamespace:
    market = locality.market
    first = audit_record(action="org.update", actor_label="t", obj=market, after={"v": 1})
    audit_record(action="org.update", actor_label="t", obj=locality.district_hr)
    second = audit_record(action="org.update", actor_label="t", obj=market, after={"v": 2})
    setting = audit_record(action="policy.set", actor_label="t", object_type="core.setting",
                           object_id="deadline")
    return SimpleNamespace(market=market, events=[first, second], setting=setting)


def test_admin_reads_one_objects_history(personas: SimpleNamespace,
                                         history: SimpleNamespace) -> None:
    reader = actor_for_user(personas.audit_admin)
    events = object_history(reader, "catalog.org", history.market.pk)
    assert list(events) == history.events
    settings_events = object_history(reader, "core.setting", "deadline")
    assert list(settings_events) == [history.setting]


def test_supervisor_reads_inside_the_subtree(personas: SimpleNamespace,
                                             history: SimpleNamespace) -> None:
    events = object_history(actor_for_user(personas.supervisor), "catalog.org",
                            history.market.pk)
    assert [e.after for e in events] == [{"v": 1}, {"v": 2}]


def test_supervisor_outside_the_subtree_is_refused(personas: SimpleNamespace,
                                                   history: SimpleNamespace) -> None:
    with pytest.raises(PermissionDenied) as exc:
        object_history(actor_for_user(personas.district_supervisor), "catalog.org",
                       history.market.pk)
    assert exc.value.code == "forbidden.scope"


def test_objects_without_org_are_for_the_admin_only(personas: SimpleNamespace,
                                                    history: SimpleNamespace) -> None:
    with pytest.raises(PermissionDenied) as exc:
        object_history(actor_for_user(personas.supervisor), "core.setting", "deadline")
    assert exc.value.code == "forbidden.scope"


def test_roles_without_audit_permission_are_refused(personas: SimpleNamespace,
                                                    history: SimpleNamespace) -> None:
    with pytest.raises(PermissionDenied) as exc:
        object_history(actor_for_user(personas.handler), "catalog.org", history.market.pk)
    assert exc.value.code == "forbidden.role"


def test_reading_the_log_is_itself_audited(personas: SimpleNamespace,
                                           history: SimpleNamespace) -> None:
    from haochaping.audit.models import AuditEvent

    list(object_history(actor_for_user(personas.audit_admin), "catalog.org", history.market.pk))
    read = AuditEvent.objects.filter(action="audit.read").latest("id")
    assert read.actor_id == personas.audit_admin.pk
    assert read.after == {"object_type": "catalog.org", "object_id": str(history.market.pk)}


@pytest.mark.parametrize("persona", ["admin", "security"])
def test_the_other_administrators_cannot_read_the_log(personas: SimpleNamespace,
                                                      history: SimpleNamespace,
                                                      persona: str) -> None:
    with pytest.raises(PermissionDenied) as exc:
        object_history(actor_for_user(getattr(personas, persona)), "catalog.org",
                       history.market.pk)
    assert exc.value.code == "forbidden.role"
