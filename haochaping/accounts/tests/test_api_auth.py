"""API authentication through HTTP: keys, sessions, rotation, rate limits."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from haochaping.accounts import services
from haochaping.accounts.models import ApiClient
from haochaping.accounts.scoping import security_actor
from haochaping.audit.models import AuditEvent

ME = "/api/v1/accounts/me"
CLIENTS = "/api/v1/accounts/api-clients"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def snapshot() -> tuple[int, int, list[Any]]:
    return (AuditEvent.objects.count(), ApiClient.objects.count(),
            list(ApiClient.objects.order_by("pk").values_list("last_used_at", "key_prefix")))


def test_missing_credentials(db: Any, client: Client) -> None:
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "auth.missing_credentials"
    assert "凭证" in response.json()["message"]


@pytest.mark.parametrize("key", [
    "not-a-key", "hcp_0123456789ab_secret", "Bearer", "hcp_zzzzzzzzzzzz_secret",
])
def test_invalid_key_is_401_and_writes_nothing(locality: SimpleNamespace, make_client: Any,
                                               client: Client, key: str) -> None:
    make_client()
    before = snapshot()
    response = client.post(CLIENTS, {"name": "x", "org_id": locality.market.pk,
                                     "scopes": ["catalog:read"]},
                           content_type="application/json", headers={"X-Api-Key": key})
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_key"
    assert snapshot() == before


def test_wrong_secret_with_a_real_prefix(locality: SimpleNamespace, make_client: Any,
                                         client: Client) -> None:
    api_client, key = make_client()
    before = snapshot()
    forged = f"hcp_{api_client.key_prefix}_{'A' * 43}"
    response = client.get(ME, headers=bearer(forged))
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_key"
    assert snapshot() == before


@pytest.mark.parametrize("header", ["Authorization", "X-Api-Key"])
def test_good_key_is_200(locality: SimpleNamespace, make_client: Any, client: Client,
                         header: str) -> None:
    api_client, key = make_client(scopes=("catalog:read", "device"))
    value = f"Bearer {key}" if header == "Authorization" else key
    response = client.get(ME, headers={header: value})
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "client"
    assert body["id"] == api_client.pk
    assert body["role"] is None
    assert body["org"]["path"] == locality.district_office.path
    assert body["scopes"] == ["catalog:read", "device"]
    api_client.refresh_from_db()
    assert api_client.last_used_at is not None


def test_session_user_me(personas: SimpleNamespace, client: Client) -> None:
    client.force_login(personas.handler)
    body = client.get(ME).json()
    assert body["kind"] == "user"
    assert body["role"] == "handler"
    assert body["role_label"] == "承办部门经办人"
    assert body["scopes"] == ["catalog:read", "complaint:read", "identity_reveal:read",
                              "policy:read", "self_assessment:read", "self_assessment:write",
                              "standard:read", "stats:read",
                              "work_order:read", "work_order:write"]


def test_rotated_old_key_works_during_grace_then_expires(locality: SimpleNamespace,
                                                         make_client: Any,
                                                         client: Client) -> None:
    api_client, old_key = make_client()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _, new_key = services.api_client_rotate(actor=security_actor("test"), client=api_client,
                                                grace_hours=2)
        assert client.get(ME, headers=bearer(old_key)).status_code == 200
        assert client.get(ME, headers=bearer(new_key)).status_code == 200
        traveller.shift(timedelta(hours=2, seconds=1))
        expired = client.get(ME, headers=bearer(old_key))
        assert expired.status_code == 401
        assert expired.json()["code"] == "auth.key_expired"
        assert client.get(ME, headers=bearer(new_key)).status_code == 200


def test_second_rotation_drops_the_oldest_key(locality: SimpleNamespace, make_client: Any,
                                              client: Client) -> None:
    api_client, first = make_client()
    api_client, second = services.api_client_rotate(actor=security_actor("t"), client=api_client)
    services.api_client_rotate(actor=security_actor("t"), client=api_client)
    assert client.get(ME, headers=bearer(second)).status_code == 200
    response = client.get(ME, headers=bearer(first))
    assert response.json()["code"] == "auth.invalid_key"


def test_inactive_client_is_401(locality: SimpleNamespace, make_client: Any,
                                client: Client) -> None:
    api_client, key = make_client()
    services.api_client_deactivate(actor=security_actor("t"), client=api_client)
    response = client.get(ME, headers=bearer(key))
    assert response.status_code == 401
    assert response.json()["code"] == "auth.client_inactive"


def test_rate_limit_is_429_then_resets_next_minute(locality: SimpleNamespace, make_client: Any,
                                                   client: Client) -> None:
    _, key = make_client(rate=3)
    start = timezone.now().replace(second=5, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(start, tick=False) as traveller:
        assert [client.get(ME, headers=bearer(key)).status_code for _ in range(3)] == [200] * 3
        before = snapshot()
        limited = client.get(ME, headers=bearer(key))
        assert limited.status_code == 429
        assert limited.json()["code"] == "rate_limited"
        assert "3" in limited.json()["message"]
        assert snapshot() == before
        traveller.shift(timedelta(minutes=1))
        assert client.get(ME, headers=bearer(key)).status_code == 200


def test_rate_limit_counts_each_client_alone(locality: SimpleNamespace, make_client: Any,
                                             client: Client) -> None:
    _, busy = make_client(rate=1, name="busy")
    _, quiet = make_client(rate=1, name="quiet")
    start = timezone.now().replace(second=5, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(start, tick=False):
        assert client.get(ME, headers=bearer(busy)).status_code == 200
        assert client.get(ME, headers=bearer(busy)).status_code == 429
        assert client.get(ME, headers=bearer(quiet)).status_code == 200
