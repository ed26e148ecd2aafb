"""Admin (the security administrator only, 三员分立; key shown once; hashes hidden) and
the api_client command."""

from __future__ import annotations

from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from haochaping.accounts.models import ApiClient, User
from haochaping.audit.models import AuditEvent

ADD = "/admin/accounts/apiclient/add/"
CHANGELIST = "/admin/accounts/apiclient/"


def test_admin_creates_a_client_and_shows_the_key_once(personas: SimpleNamespace,
                                                       locality: SimpleNamespace,
                                                       client: Client) -> None:
    client.force_login(personas.security)
    response = client.post(ADD, {"name": "评价器", "org": locality.market.pk,
                                 "scopes": ["device"], "rate_limit_per_minute": 60},
                           follow=True)
    created = ApiClient.objects.get()
    page = response.content.decode()
    assert "仅显示这一次" in page
    assert f"hcp_{created.key_prefix}_" in page
    assert AuditEvent.objects.filter(action="accounts.api_client_create").count() == 1
    change = client.get(f"{CHANGELIST}{created.pk}/change/").content.decode()
    assert created.key_hash not in change
    assert "仅显示这一次" not in change


def test_admin_rotate_action(personas: SimpleNamespace, make_client: Any,
                             client: Client) -> None:
    api_client, _ = make_client()
    client.force_login(personas.security)
    response = client.post(CHANGELIST, {"action": "rotate_key",
                                        "_selected_action": [api_client.pk]}, follow=True)
    api_client.refresh_from_db()
    assert f"hcp_{api_client.key_prefix}_" in response.content.decode()
    assert api_client.previous_key_prefix != ""


@pytest.mark.parametrize("persona", ["supervisor", "handler"])
def test_admin_is_for_system_admins_only(personas: SimpleNamespace, client: Client,
                                         persona: str) -> None:
    client.force_login(getattr(personas, persona))
    assert client.get(CHANGELIST).status_code in (302, 403)


def test_admin_password_change_runs_the_validators(personas: SimpleNamespace,
                                                   client: Client) -> None:
    client.force_login(personas.security)
    url = f"/admin/accounts/user/{personas.handler.pk}/password/"
    old_hash = personas.handler.password
    response = client.post(url, {"password1": "abcdefghijkl", "password2": "abcdefghijkl",
                                 "usable_password": "true"})
    assert response.status_code == 200
    assert "三类" in response.content.decode()
    assert User.objects.get(pk=personas.handler.pk).password == old_hash
    assert not AuditEvent.objects.filter(action="accounts.user_set_password").exists()
    ok = client.post(url, {"password1": "Better-Pass-2026!", "password2": "Better-Pass-2026!",
                           "usable_password": "true"})
    assert ok.status_code == 302
    assert AuditEvent.objects.filter(action="accounts.user_set_password").count() == 1


def test_admin_refuses_a_handler_without_org(personas: SimpleNamespace,
                                             client: Client) -> None:
    client.force_login(personas.security)
    before = User.objects.count()
    response = client.post("/admin/accounts/user/add/", {
        "username": "noorg", "role": "handler", "password1": "Better-Pass-2026!",
        "password2": "Better-Pass-2026!", "usable_password": "true"})
    assert response.status_code == 200
    assert "必须属于一个机构" in response.content.decode()
    assert User.objects.count() == before


def test_command_create_rotate_deactivate_list(locality: SimpleNamespace) -> None:
    out = StringIO()
    call_command("api_client", "create", "--name", "办件系统", "--org", "MARKET",
                 "--scopes", "catalog:read,handlings:write", stdout=out)
    created = ApiClient.objects.get()
    assert f"hcp_{created.key_prefix}_" in out.getvalue()
    assert created.scopes == ["catalog:read", "handlings:write"]
    call_command("api_client", "rotate", "--prefix", created.key_prefix, "--grace-hours", "1",
                 stdout=out)
    created.refresh_from_db()
    listing = StringIO()
    call_command("api_client", "list", stdout=listing)
    assert created.key_prefix in listing.getvalue()
    assert created.key_hash not in listing.getvalue()
    call_command("api_client", "deactivate", "--prefix", created.key_prefix, stdout=out)
    created.refresh_from_db()
    assert created.is_active is False
    assert AuditEvent.objects.filter(actor_label="cli:api_client").count() == 3


def test_command_bad_scope_writes_nothing(locality: SimpleNamespace) -> None:
    with pytest.raises(CommandError, match="api_client.scopes_invalid"):
        call_command("api_client", "create", "--name", "x", "--org", "MARKET",
                     "--scopes", "root", stdout=StringIO())
    assert ApiClient.objects.count() == 0
    assert AuditEvent.objects.count() == 0
