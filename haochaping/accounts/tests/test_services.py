"""User and API-client services: subtree confinement, role assignment, passwords."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.accounts import services
from haochaping.accounts.models import ApiClient, User
from haochaping.accounts.scoping import actor_for_user, security_actor
from haochaping.audit.models import AuditEvent
from haochaping.core.errors import AppError

GOOD = "Gov-Service-2026!ok"


def counts() -> tuple[int, int, int]:
    return AuditEvent.objects.count(), User.objects.count(), ApiClient.objects.count()


def test_supervisor_creates_a_user_in_its_subtree(personas: SimpleNamespace,
                                                  locality: SimpleNamespace) -> None:
    user = services.user_create(actor=actor_for_user(personas.supervisor), username="li",
                                password=GOOD, role="handler", org=locality.district_hr,
                                full_name="李四")
    assert user.check_password(GOOD)
    event = AuditEvent.objects.get(action="accounts.user_create")
    assert event.actor_id == personas.supervisor.pk
    assert event.after == {"username": "li", "role": "handler", "org_id": locality.district_hr.pk,
                           "staff_id": None, "is_active": True}
    assert GOOD not in str(event.after)


@pytest.mark.parametrize(("persona", "role", "org", "code"), [
    ("supervisor", "system_admin", None, "forbidden.scope"),
    ("supervisor", "system_admin", "market", "forbidden.role_assign"),
    ("district_supervisor", "handler", "market", "forbidden.scope"),
    ("handler", "window_staff", "market", "forbidden.role"),
    ("security", "handler", None, "user.org_required"),
    ("security", "boss", "market", "user.role_invalid"),
])
def test_user_create_refused_writes_nothing(personas: SimpleNamespace, locality: SimpleNamespace,
                                            persona: str, role: str, org: str | None,
                                            code: str) -> None:
    before = counts()
    with pytest.raises(AppError) as err:
        services.user_create(actor=actor_for_user(getattr(personas, persona)), username="new",
                             password=GOOD, role=role,
                             org=getattr(locality, org) if org else None)
    assert err.value.code == code
    assert counts() == before


@pytest.mark.parametrize("password", [
    "Ab1!xyz",  # too short
    "abcdefghijklmn",  # one character class
    "123456789012345",  # numeric only
    "password12345",  # common, two classes
    "newuser2026!",  # too similar to the user name
])
def test_weak_passwords_are_refused_in_chinese(personas: SimpleNamespace,
                                               locality: SimpleNamespace, password: str) -> None:
    before = counts()
    with pytest.raises(AppError) as err:
        services.user_create(actor=actor_for_user(personas.security), username="newuser",
                             password=password, role="handler", org=locality.market)
    assert err.value.code == "user.password_weak"
    assert err.value.field == "password"
    messages = [p.message for p in err.value.problems]
    assert messages
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in messages)
    assert counts() == before


def test_username_taken(personas: SimpleNamespace, locality: SimpleNamespace) -> None:
    before = counts()
    with pytest.raises(AppError) as err:
        services.user_create(actor=actor_for_user(personas.security), username="handler",
                             password=GOOD, role="handler", org=locality.market)
    assert err.value.code == "user.username_taken"
    assert counts() == before


def test_set_role_promotion_to_admin_is_refused(personas: SimpleNamespace) -> None:
    before = counts()
    with pytest.raises(AppError) as err:
        services.user_set_role(actor=actor_for_user(personas.supervisor), user=personas.handler,
                               role="system_admin")
    assert err.value.code == "forbidden.role_assign"
    assert counts() == before
    assert User.objects.get(pk=personas.handler.pk).role == "handler"


def test_set_role_outside_the_subtree_is_refused(personas: SimpleNamespace) -> None:
    with pytest.raises(AppError) as err:
        services.user_set_role(actor=actor_for_user(personas.district_supervisor),
                               user=personas.handler, role="auditor")
    assert err.value.code == "forbidden.scope"
    assert User.objects.get(pk=personas.handler.pk).role == "handler"


def test_supervisor_cannot_touch_the_system_admin(personas: SimpleNamespace) -> None:
    with pytest.raises(AppError) as err:
        services.user_set_password(actor=actor_for_user(personas.supervisor),
                                   user=personas.admin, password=GOOD)
    assert err.value.code == "forbidden.scope"


def test_set_role_is_audited(personas: SimpleNamespace) -> None:
    services.user_set_role(actor=actor_for_user(personas.supervisor), user=personas.handler,
                           role="auditor")
    event = AuditEvent.objects.get(action="accounts.user_set_role")
    assert (event.before["role"], event.after["role"]) == ("handler", "auditor")


def test_user_changes_own_password_and_the_audit_holds_no_secret(
        personas: SimpleNamespace) -> None:
    services.user_set_password(actor=actor_for_user(personas.handler), user=personas.handler,
                               password=GOOD)
    assert User.objects.get(pk=personas.handler.pk).check_password(GOOD)
    event = AuditEvent.objects.get(action="accounts.user_set_password")
    assert (event.before, event.after) == (None, None)


def test_handler_cannot_set_another_users_password(personas: SimpleNamespace) -> None:
    before = counts()
    with pytest.raises(AppError) as err:
        services.user_set_password(actor=actor_for_user(personas.handler),
                                   user=personas.window_staff, password=GOOD)
    assert err.value.code == "forbidden.role"
    assert counts() == before


def test_rotate_inactive_client_is_a_conflict(locality: SimpleNamespace,
                                              make_client: Any) -> None:
    api_client, _ = make_client()
    services.api_client_deactivate(actor=security_actor("t"), client=api_client)
    before = counts()
    with pytest.raises(AppError) as err:
        services.api_client_rotate(actor=security_actor("t"), client=api_client)
    assert err.value.code == "api_client.inactive"
    assert counts() == before


def test_deactivate_twice_records_once(locality: SimpleNamespace, make_client: Any) -> None:
    api_client, _ = make_client()
    services.api_client_deactivate(actor=security_actor("t"), client=api_client)
    services.api_client_deactivate(actor=security_actor("t"), client=api_client)
    assert AuditEvent.objects.filter(action="accounts.api_client_deactivate").count() == 1


def test_update_client(locality: SimpleNamespace, make_client: Any) -> None:
    api_client, _ = make_client()
    services.api_client_update(actor=security_actor("t"), client=api_client, name="新名称",
                               scopes=["device", "device"], rate_limit_per_minute=30)
    api_client.refresh_from_db()
    assert (api_client.name, api_client.scopes, api_client.rate_limit_per_minute) == (
        "新名称", ["device"], 30)
