"""Fixtures for exchange tests: a locality, a business system, a rater and handlings."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.evaluations.tests import factories as ef


@pytest.fixture
def world(locality: SimpleNamespace, personas: SimpleNamespace) -> SimpleNamespace:
    source, _ = ef.make_client(locality.market, scopes=("handlings:write",), name="审批系统")
    rater = ef.make_rater()

    def handling(**kw: Any) -> Any:
        kw.setdefault("client", source)
        kw.setdefault("rater", rater)
        return ef.make_handling(locality, **kw)

    return SimpleNamespace(loc=locality, people=personas, source=source, rater=rater,
                           handling=handling)


@pytest.fixture(autouse=True)
def _fresh_rate_counters() -> None:
    """Rate-limit counters live in the cache, which outlives a test."""
    from django.core.cache import cache

    cache.clear()
