"""Fixtures for evaluation tests: a rater, an API client and completed handlings."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.evaluations.tests import factories as ef


@pytest.fixture
def world(locality: SimpleNamespace, personas: SimpleNamespace) -> SimpleNamespace:
    client, key = ef.make_client(locality.city_office)
    source, _ = ef.make_client(locality.market, scopes=("handlings:write",), name="审批系统")
    rater = ef.make_rater()
    other_rater = ef.make_rater(id_no="110105198001010016", phone="13900001111", name="李四")

    def handling(**kw: Any) -> Any:
        kw.setdefault("client", source)
        kw.setdefault("rater", rater)
        return ef.make_handling(locality, **kw)

    return SimpleNamespace(loc=locality, people=personas, app=client, app_key=key,
                           source=source, rater=rater, other_rater=other_rater,
                           handling=handling)


@pytest.fixture(autouse=True)
def _fresh_rate_counters() -> None:
    """Rate-limit counters live in the cache, which outlives a test."""
    from django.core.cache import cache

    cache.clear()
