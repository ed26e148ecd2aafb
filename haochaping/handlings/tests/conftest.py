"""Fixtures for the handlings tests: an intake client on the market department (its
subtree holds the locality's window, staff and matter; the district is outside it)."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _client(org: Any, scopes: list[str]) -> tuple[Any, str]:
    from haochaping.accounts import services
    from haochaping.accounts.scoping import security_actor

    return services.api_client_create(actor=security_actor("test"), name="业务系统", org=org,
                                      scopes=scopes, rate_limit_per_minute=10_000)


@pytest.fixture
def intake(locality: SimpleNamespace) -> SimpleNamespace:
    client, key = _client(locality.market, ["handlings:write"])
    reader, reader_key = _client(locality.market, ["catalog:read"])
    return SimpleNamespace(client=client, key=key, reader_key=reader_key)
