from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from haochaping.cli import main, resolve
from haochaping.core.checks import (
    assert_production_ready,
    production_pad_counter,
    production_secrets,
    production_sms_backend,
)


def test_resolve_maps_words_to_management_commands() -> None:
    assert resolve(["audit", "verify", "--expect-seq", "3"]) == ["audit_verify", "--expect-seq",
                                                                 "3"]
    assert resolve(["calendar", "check"]) == ["calendar_check"]
    assert resolve(["import", "orgs", "a.xlsx"]) == ["catalog_import", "orgs", "a.xlsx"]
    assert resolve(["manage", "showmigrations"]) == ["showmigrations"]
    assert resolve(["stats", "rebuild", "--first", "2026-01-01"]) == [
        "stats_rebuild", "--first", "2026-01-01"]
    assert resolve(["stats", "verify"]) == ["stats_report_verify"]
    assert resolve(["demo", "sms-reply", "5"]) == ["demo_sms_reply", "5"]
    assert resolve(["demo", "--size", "large"]) == ["demo", "--size", "large"]
    assert resolve(["db", "roles", "--runtime", "app"]) == ["db_roles", "--runtime", "app"]
    assert resolve(["frobnicate"]) is None


def test_unknown_command_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == 2
    assert "unknown command" in capsys.readouterr().err


@pytest.mark.parametrize("words", [["demo"], ["worker"], ["import"], ["audit", "verify"],
                                   ["calendar", "check"], ["clients"], ["rekey"],
                                   ["stats", "rebuild"], ["stats", "report"],
                                   ["stats", "verify"], ["cases", "publish"],
                                   ["demo", "sms-reply"], ["db", "roles"],
                                   ["db", "backup"], ["db", "restore"]])
def test_every_operator_command_has_help(words: list[str]) -> None:
    out = subprocess.run([sys.executable, "-m", "haochaping.cli", *words, "--help"],
                         capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 0, out.stderr
    assert "usage:" in out.stdout


@override_settings(HCP_ENV="production", DEBUG=False, SECRET_KEY="x" * 50,
                   HCP_FIELD_KEYS="k1:cHJvZC1rZXktMzItYnl0ZXMtbG9uZy1lbm91Z2gh",
                   HCP_BLIND_INDEX_KEY="cHJvZC1ibGluZC1rZXk=", HCP_SMS_GATEWAY_SECRET="",
                   HCP_PAD_WAIT_URL="/pad/wait", HCP_SMS_BACKEND="http",
                   HCP_TELEPHONY_BACKEND="off",
                   HCP_AUDIT_KEYS="k1:cHJvZC1hdWRpdC1rZXktMzItYnl0ZXMtbG9uZy1lbm91Z2g=")
def test_production_accepts_real_secrets() -> None:
    assert production_secrets(None) == []
    assert production_sms_backend(None) == []
    assert production_pad_counter(None) == []
    assert_production_ready()


REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                     "LOCATION": "redis://127.0.0.1:6379/0"}}


@pytest.mark.parametrize(("pad_wait_url", "caches", "refused"), [
    ("", None, True),  # locmem, short-polling pads: each worker has its own counter
    ("/pad/wait", None, False),
    ("", REDIS, False),
    ("/pad/wait", REDIS, False),
])
def test_production_needs_a_shared_pad_counter(pad_wait_url: str, caches: object,
                                               refused: bool) -> None:
    extra = {"CACHES": caches} if caches else {}
    with override_settings(HCP_ENV="production", HCP_PAD_WAIT_URL=pad_wait_url, **extra):
        ids = [e.id for e in production_pad_counter(None)]
    assert ids == (["haochaping.E006"] if refused else [])


@override_settings(HCP_ENV="production", DEBUG=True)
def test_production_refuses_demo_secrets_and_debug() -> None:
    ids = {e.id for e in production_secrets(None)}
    assert ids == {"haochaping.E001", "haochaping.E002", "haochaping.E003", "haochaping.E004",
                   "haochaping.E005", "haochaping.E007"}
    assert [e.id for e in production_pad_counter(None)] == ["haochaping.E006"]
    with pytest.raises(ImproperlyConfigured):
        assert_production_ready()


def test_demo_mode_allows_demo_secrets() -> None:
    assert production_secrets(None) == []
    assert production_pad_counter(None) == []
    assert production_sms_backend(None) == []  # the demo's console backend


@pytest.mark.parametrize(("backend", "refused"), [("console", True), ("http", False)])
def test_production_refuses_the_console_sms_backend(backend: str, refused: bool) -> None:
    """The console backend sends nothing and logs every message, codes and links
    included (issue 17): production does not start on it."""
    real = {"HCP_ENV": "production", "DEBUG": False, "SECRET_KEY": "x" * 50,
            "HCP_FIELD_KEYS": "k1:cHJvZC1rZXktMzItYnl0ZXMtbG9uZy1lbm91Z2gh",
            "HCP_BLIND_INDEX_KEY": "cHJvZC1ibGluZC1rZXk=", "HCP_SMS_GATEWAY_SECRET": "",
            "HCP_PAD_WAIT_URL": "/pad/wait",
            "HCP_AUDIT_KEYS": "k1:cHJvZC1hdWRpdC1rZXktMzItYnl0ZXMtbG9uZy1lbm91Z2g="}
    with override_settings(HCP_SMS_BACKEND=backend, **real):
        ids = [e.id for e in production_sms_backend(None)]
        assert ids == (["haochaping.E009"] if refused else [])
        if refused:
            with pytest.raises(ImproperlyConfigured, match="HCP_SMS_BACKEND=console"):
                assert_production_ready()
        else:
            assert_production_ready()
    with override_settings(HCP_SMS_BACKEND="console"):
        assert production_sms_backend(None) == []  # demo
