"""Fixtures of the downward-exchange tests: a remote (national profile, HMAC keys from the
environment) and a completed handling of the market department."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.evaluations.tests import factories as ef
from haochaping.exchange.tests.inbound.support import remote  # noqa: F401  (fixture)


@pytest.fixture
def down(locality: SimpleNamespace, personas: SimpleNamespace, remote: Any) -> SimpleNamespace:
    source, _ = ef.make_client(locality.market, scopes=("handlings:write",), name="审批系统")
    rater = ef.make_rater()
    handling = ef.make_handling(locality, client=source, rater=rater, offline=False)
    return SimpleNamespace(loc=locality, people=personas, remote=remote, source=source,
                           rater=rater, handling=handling)
