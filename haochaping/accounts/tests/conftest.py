"""Fixtures for the accounts tests: a clean rate-limit cache and an org outside the
locality (its code shares a prefix with the city office, to prove the path guard)."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache

from tests import factories as f


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(locality: SimpleNamespace, personas: SimpleNamespace) -> SimpleNamespace:
    """The locality plus a district hall, window, staff and matter, and an org elsewhere."""
    elsewhere = f.make_org("外市政务服务局", kind="supervising", code="CITYOFFICE2",
                           region=locality.city_region)
    district_hall = f.make_hall(locality.district_office, name="金水区政务服务中心",
                                code="HALLDIST")
    else_hall = f.make_hall(elsewhere, name="外市大厅", code="HALLELSE")
    district_window = f.make_window(district_hall, locality.district_hr, number="D1")
    else_window = f.make_window(else_hall, elsewhere, number="E1")
    f.make_staff(locality.district_hr, window=district_window, name="李红")
    f.make_staff(elsewhere, window=else_window, name="张伟")
    f.make_matter(locality.district_hr, name="社保卡补办")
    f.make_matter(elsewhere, name="外地事项")
    locality.hall.code = "HALLCITY"
    locality.hall.save(update_fields=["code"])
    return SimpleNamespace(**vars(locality), **vars(personas), elsewhere=elsewhere)


@pytest.fixture
def make_client(locality: SimpleNamespace) -> Any:
    """Create an API client through the service, as the system operator."""
    from haochaping.accounts import services
    from haochaping.accounts.scoping import security_actor

    def make(*, org: Any = None, scopes: tuple[str, ...] = ("catalog:read",),
             rate: int = 600, name: str = "办件系统") -> tuple[Any, str]:
        return services.api_client_create(actor=security_actor("test"), name=name,
                                          org=org or locality.district_office,
                                          scopes=list(scopes), rate_limit_per_minute=rate)

    return make
