"""API-client management endpoints: create (key once), list (no secrets), rotate,
deactivate; confined to the caller's org subtree."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from haochaping.accounts.models import ApiClient
from haochaping.audit.models import AuditEvent

CLIENTS = "/api/v1/accounts/api-clients"
ME = "/api/v1/accounts/me"


def counts() -> tuple[int, int]:
    return AuditEvent.objects.count(), ApiClient.objects.count()


def create(client: Client, org_id: int, **extra: Any) -> Any:
    payload = {"name": "办件系统", "org_id": org_id, "scopes": ["catalog:read"], **extra}
    return client.post(CLIENTS, payload, content_type="application/json")


def test_supervisor_creates_a_client_and_sees_the_key_once(personas: SimpleNamespace,
                                                            locality: SimpleNamespace,
                                                            client: Client) -> None:
    client.force_login(personas.supervisor)
    response = create(client, locality.district_hr.pk, rate_limit_per_minute=60)
    assert response.status_code == 201
    body = response.json()
    key = body["key"]
    assert key.startswith(f"hcp_{body['client']['key_prefix']}_")
    stored = ApiClient.objects.get(pk=body["client"]["id"])
    assert stored.key_hash != key
    assert key not in str(AuditEvent.objects.values_list("before", "after"))
    assert AuditEvent.objects.filter(action="accounts.api_client_create").count() == 1
    listing = client.get(CLIENTS)
    assert listing.status_code == 200
    assert [c["id"] for c in listing.json()] == [stored.pk]
    assert "key" not in listing.json()[0]
    assert "key_hash" not in listing.content.decode()
    assert key not in listing.content.decode()
    client.logout()
    assert client.get(ME, headers={"X-Api-Key": key}).status_code == 200


def test_list_is_confined_to_the_subtree(personas: SimpleNamespace, locality: SimpleNamespace,
                                         make_client: Any, client: Client) -> None:
    in_district, _ = make_client(org=locality.district_hr, name="区")
    make_client(org=locality.market, name="市")
    client.force_login(personas.district_supervisor)
    assert [c["id"] for c in client.get(CLIENTS).json()] == [in_district.pk]


@pytest.mark.parametrize(("persona", "org", "status", "code"), [
    ("district_supervisor", "market", 403, "forbidden.scope"),
    ("handler", "market", 403, "forbidden.role"),
    ("auditor", "market", 403, "forbidden.role"),
])
def test_create_refused_writes_nothing(personas: SimpleNamespace, locality: SimpleNamespace,
                                       client: Client, persona: str, org: str, status: int,
                                       code: str) -> None:
    client.force_login(getattr(personas, persona))
    before = counts()
    response = create(client, getattr(locality, org).pk)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert counts() == before


@pytest.mark.parametrize(("payload", "code"), [
    ({"scopes": ["root"]}, "api_client.scopes_invalid"),
    ({"name": "   "}, "api_client.name_invalid"),
    ({"org_id": 999_999}, "org.not_found"),
    ({"rate_limit_per_minute": 0}, "invalid_request"),
])
def test_create_bad_input_writes_nothing(personas: SimpleNamespace, locality: SimpleNamespace,
                                         client: Client, payload: dict[str, Any],
                                         code: str) -> None:
    client.force_login(personas.security)
    before = counts()
    response = create(client, **{"org_id": locality.market.pk, **payload})
    assert response.status_code in (404, 422)
    assert response.json()["code"] == code
    assert counts() == before


def test_a_client_key_cannot_manage_clients(locality: SimpleNamespace, make_client: Any,
                                            client: Client) -> None:
    _, key = make_client(scopes=("catalog:read", "catalog:write"))
    before = counts()
    response = client.post(CLIENTS, {"name": "x", "org_id": locality.district_hr.pk,
                                     "scopes": ["catalog:read"]},
                           content_type="application/json", headers={"X-Api-Key": key})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden.role"
    assert counts() == before


def test_rotate_and_deactivate_through_the_api(personas: SimpleNamespace,
                                               locality: SimpleNamespace, make_client: Any,
                                               client: Client) -> None:
    api_client, old_key = make_client(org=locality.district_hr)
    client.force_login(personas.district_supervisor)
    rotated = client.post(f"{CLIENTS}/{api_client.pk}/rotate", {"grace_hours": 0},
                          content_type="application/json")
    assert rotated.status_code == 200
    new_key = rotated.json()["key"]
    assert rotated.json()["client"]["previous_key_prefix"] == api_client.key_prefix
    deactivated = client.post(f"{CLIENTS}/{api_client.pk}/deactivate")
    assert deactivated.status_code == 200
    assert deactivated.json()["is_active"] is False
    client.logout()
    assert client.get(ME, headers={"X-Api-Key": old_key}).json()["code"] == "auth.key_expired"
    assert client.get(ME, headers={"X-Api-Key": new_key}).json()["code"] == "auth.client_inactive"
    assert list(AuditEvent.objects.filter(object_id=str(api_client.pk))
                .values_list("action", flat=True)) == [
        "accounts.api_client_create", "accounts.api_client_rotate",
        "accounts.api_client_deactivate"]


def test_rotate_outside_the_subtree_is_not_found(personas: SimpleNamespace,
                                                 locality: SimpleNamespace, make_client: Any,
                                                 client: Client) -> None:
    api_client, _ = make_client(org=locality.market)
    client.force_login(personas.district_supervisor)
    before = counts()
    response = client.post(f"{CLIENTS}/{api_client.pk}/rotate", {"grace_hours": 1},
                           content_type="application/json")
    assert response.status_code == 404
    assert response.json()["code"] == "api_client.not_found"
    assert counts() == before
    assert ApiClient.objects.get(pk=api_client.pk).key_prefix == api_client.key_prefix


def test_rotate_grace_out_of_range_writes_nothing(personas: SimpleNamespace,
                                                  locality: SimpleNamespace, make_client: Any,
                                                  client: Client) -> None:
    api_client, _ = make_client(org=locality.market)
    client.force_login(personas.admin)
    before = counts()
    response = client.post(f"{CLIENTS}/{api_client.pk}/rotate", {"grace_hours": 1000},
                           content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    assert counts() == before
