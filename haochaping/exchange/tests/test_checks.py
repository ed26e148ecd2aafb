"""Production refuses to start with the demo exchange keys (check ``haochaping.E011``):
in any variable, under a renamed key id, in a key file; the message names the variable,
never the key; the demo and the tests keep them."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.checks import registry
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from haochaping.core.checks import assert_production_ready
from haochaping.core.tests.test_durability import PRODUCTION
from haochaping.exchange.checks import holding_demo_keys, production_exchange_keys
from haochaping.exchange.fakeremote.demokeys import demo_environ, demo_secrets
from haochaping.exchange.keys import env_name


def test_the_check_is_registered_and_runs_at_every_start() -> None:
    assert production_exchange_keys in registry.registry.get_checks(include_deployment_checks=False)


@override_settings(HCP_ENV="production")
def test_production_refuses_a_demo_key_in_any_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(demo_environ()):
        monkeypatch.delenv(name, raising=False)
    assert production_exchange_keys(None) == []
    hmac_secret = demo_secrets()[0]
    # copied from `make run`'s exports, under a renamed key id and the province's own name
    monkeypatch.setenv(env_name("JX", "HMAC"), f"jx-2026:{hmac_secret}")
    [error] = production_exchange_keys(None)
    assert error.id == "haochaping.E011"
    assert "HCP_EXCHANGE_JX_HMAC" in error.msg
    assert "演示对接密钥" in error.msg
    for secret in demo_secrets():
        assert secret not in error.msg
        assert secret not in (error.hint or "")


def test_a_key_file_holding_a_demo_key_is_found(tmp_path: Path) -> None:
    key_file = tmp_path / "sm4.key"
    key_file.write_text(f"k1:{demo_secrets()[1]}\n", encoding="utf-8")
    own = tmp_path / "own.key"
    own.write_text("k1:0f1e2d3c4b5a69788796a5b4c3d2e1f0\n", encoding="utf-8")
    environ = {"HCP_EXCHANGE_HN_SM4_FILE": str(key_file),
               "HCP_EXCHANGE_AH_SM4_FILE": str(own),
               "HCP_EXCHANGE_GONE_SM4_FILE": str(tmp_path / "missing.key"),
               "OTHER_FILE": str(key_file)}  # only exchange key files are read
    assert holding_demo_keys(environ) == ["HCP_EXCHANGE_HN_SM4_FILE"]
    assert holding_demo_keys({"HCP_EXCHANGE_AH_SM2_PRIVATE": f"k:{'ab' * 32}"}) == []


@pytest.mark.parametrize("env", ["demo", "test"])
def test_the_demo_and_the_tests_keep_them(env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in demo_environ().items():
        monkeypatch.setenv(name, value)
    with override_settings(HCP_ENV=env):
        assert production_exchange_keys(None) == []
    assert len(holding_demo_keys()) >= len(demo_environ()) - 2  # the public halves differ


def test_a_production_start_with_a_demo_key_is_refused() -> None:
    """``manage.py check --deploy`` (what a production start runs) in a clean production
    environment but for one pasted demo export line."""
    from haochaping.core.tests.test_transport import PRODUCTION_ENV, _run

    pasted = {env_name("DEMO", "SM4"): demo_environ()[env_name("DEMO", "SM4")]}
    done = _run("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV, **pasted)
    assert done.returncode != 0
    assert "haochaping.E011" in done.stderr
    assert demo_secrets()[1] not in done.stderr + done.stdout


def test_the_worker_and_web_start_refuse_a_demo_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """``core.checks.assert_production_ready`` (the WSGI entry point, the worker, padwait)
    runs the exchange's check through its start tag (core cannot import the exchange)."""
    for name in list(demo_environ()):
        monkeypatch.delenv(name, raising=False)
    with override_settings(**PRODUCTION):
        assert_production_ready()  # accepted without a demo key
        monkeypatch.setenv(env_name("HN", "HMAC"), f"k1:{demo_secrets()[0]}")
        with pytest.raises(ImproperlyConfigured, match="HCP_EXCHANGE_HN_HMAC") as refused:
            assert_production_ready()
    assert demo_secrets()[0] not in str(refused.value)
