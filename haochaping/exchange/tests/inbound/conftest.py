"""Fixtures of the downward-exchange tests: a remote (national profile, HMAC keys from the
environment) and a completed handling of the market department."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.evaluations.tests import factories as ef
from haochaping.exchange.models import Remote
from haochaping.exchange.tests.inbound.support import KEY_ENV, SECRET


@pytest.fixture
def remote(db: Any, monkeypatch: pytest.MonkeyPatch) -> Remote:
    """The provincial platform, on the national profile, its HMAC key in the environment."""
    monkeypatch.setenv(f"HCP_EXCHANGE_{KEY_ENV}_HMAC", f"k1:{SECRET}")
    return Remote.objects.create(name="henan", label="河南省一体化在线政务服务平台",
                                 profile="national", base_url="http://127.0.0.1:9/",
                                 key_env=KEY_ENV)


@pytest.fixture
def down(locality: SimpleNamespace, personas: SimpleNamespace, remote: Any) -> SimpleNamespace:
    source, _ = ef.make_client(locality.market, scopes=("handlings:write",), name="审批系统")
    rater = ef.make_rater()
    handling = ef.make_handling(locality, client=source, rater=rater, offline=False)
    return SimpleNamespace(loc=locality, people=personas, remote=remote, source=source,
                           rater=rater, handling=handling)
