"""Per-process memos: a value is kept for HCP_LOCAL_CACHE_SECONDS, a change through the
platform is seen at once in the process that made it, and 0 seconds turns memos off."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.core import memo as memo_module
from haochaping.core.memo import Memo, clear_all, clear_named


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(memo_module.time, "monotonic", fake)
    return fake


def test_a_value_is_loaded_once_within_its_seconds(clock: Clock, settings: Any) -> None:
    settings.HCP_LOCAL_CACHE_SECONDS = 5
    loads: list[int] = []
    memo: Memo[int] = Memo("test_once")
    load = lambda: loads.append(1) or len(loads)  # noqa: E731
    assert memo.get_or_load("k", load) == 1
    clock.now += 4.9
    assert memo.get_or_load("k", load) == 1
    clock.now += 0.2
    assert memo.get_or_load("k", load) == 2
    memo.forget("k")
    assert memo.get_or_load("k", load) == 3
    clear_named("test_once")
    assert memo.get_or_load("k", load) == 4
    clear_all()
    assert memo.get_or_load("k", load) == 5


def test_zero_seconds_turns_memos_off(settings: Any) -> None:
    settings.HCP_LOCAL_CACHE_SECONDS = 0
    memo: Memo[int] = Memo("test_off")
    loads: list[int] = []
    for _ in range(3):
        memo.get_or_load("k", lambda: loads.append(1) or len(loads))  # type: ignore[func-returns-value]
    assert len(loads) == 3


def test_a_full_memo_starts_afresh(settings: Any) -> None:
    settings.HCP_LOCAL_CACHE_SECONDS = 60
    memo: Memo[int] = Memo("test_full", max_entries=2)
    for key in range(3):
        memo.get_or_load(key, lambda key=key: key)  # type: ignore[misc]
    assert len(memo._entries) == 1


@pytest.mark.django_db
def test_a_policy_override_is_in_force_at_once(locality: SimpleNamespace) -> None:
    from haochaping.catalog.models import PolicyOverride
    from haochaping.catalog.selectors.policy import effective_policy

    before = effective_policy(locality.market).multiple_ratings.value
    assert before == "one_per_service"
    override = PolicyOverride.objects.create(org=locality.city_office, key="multiple_ratings",
                                             value="latest_wins")
    assert effective_policy(locality.market).multiple_ratings.value == "latest_wins"
    override.delete()
    assert effective_policy(locality.market).multiple_ratings.value == "one_per_service"


@pytest.mark.django_db
def test_a_deactivated_client_is_refused_at_once_and_elsewhere_within_the_ttl(
        locality: SimpleNamespace, personas: SimpleNamespace, clock: Clock,
        settings: Any) -> None:
    from haochaping.accounts.auth import ApiAuthError, authenticate_key
    from haochaping.accounts.models import ApiClient
    from haochaping.accounts.scoping import actor_for_user
    from haochaping.accounts.services import api_client_create, api_client_deactivate

    settings.HCP_LOCAL_CACHE_SECONDS = 5
    admin = actor_for_user(personas.security)  # API keys: the security administrator
    client, raw = api_client_create(actor=admin, name="一手通", org=locality.city_office,
                                    scopes=["evaluations:write"])
    assert authenticate_key(raw).pk == client.pk
    # Another process deactivates it: this process's memo serves it until it expires.
    ApiClient.objects.filter(pk=client.pk).update(is_active=False)
    assert authenticate_key(raw).pk == client.pk
    clock.now += 5.1
    with pytest.raises(ApiAuthError) as refused:
        authenticate_key(raw)
    assert refused.value.code == "auth.client_inactive"
    # Through the service in this process: at once.
    ApiClient.objects.filter(pk=client.pk).update(is_active=True)
    clock.now += 5.1
    assert authenticate_key(raw).pk == client.pk
    api_client_deactivate(actor=admin, client=client)
    with pytest.raises(ApiAuthError):
        authenticate_key(raw)
