"""``haochaping exchange check``: passes against the fake remote for every shipped profile
without uploading anything, fails with a clear line against a misbehaving one, and
reads an office's profile from the database."""

from __future__ import annotations

import io
import json
import socket
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from haochaping.exchange.fakeremote.demokeys import OURS_ENV, demo_environ
from haochaping.exchange.fakeremote.process import FakeRemoteProcess
from haochaping.exchange.models import ProfileDoc
from haochaping.exchange.rules.profiles import shipped_document, shipped_names, shipped_profile
from haochaping.exchange.tests.kit import remotes

__all__ = ["remotes"]
pytestmark = pytest.mark.django_db


def check(**options: object) -> tuple[bool, str]:
    out = io.StringIO()
    try:
        call_command("exchange_check", stdout=out, **options)
    except CommandError:
        return False, out.getvalue()
    return True, out.getvalue()


@pytest.mark.parametrize("name", shipped_names())
def test_the_check_passes_against_the_fake_remote_and_uploads_nothing(
        name: str, remotes: dict[str, FakeRemoteProcess]) -> None:
    remote = remotes[name]
    remote.reset()
    passed, out = check(profile=name, url=remote.url)
    assert passed, out
    assert "RESULT: PASS" in out
    assert "[失败 FAIL]" not in out
    profile = shipped_profile(name)
    english = [row.strip() for row in out.splitlines() if row.startswith("            ")]
    for kind in profile.kinds:
        assert f"{kind.value}: {min(3, profile.envelope.max_items)} sample records mapped" \
            in "\n".join(english)
        if profile.count is not None:
            assert any(row.startswith(f"count query ({kind.value}, 2000-01-01, all orgs): "
                                      "HTTP 200, 0 records, digest right") for row in english)
    summary = remote.summary()
    assert {k: v["receipts"] for k, v in summary["kinds"].items()} == dict.fromkeys(
        summary["kinds"], 0)
    if profile.count is None:
        assert summary["requests"] == {}
        assert "defines no harmless request" in out
    else:
        assert summary["requests"] == {"count": len(profile.kinds)}
        assert summary["refusals"] == {"exchange.bad_signature": 1, "exchange.stale": 1}


def test_our_keys_from_the_environment(monkeypatch: pytest.MonkeyPatch,
                                       remotes: dict[str, FakeRemoteProcess]) -> None:
    for name, value in demo_environ().items():
        monkeypatch.setenv(name, value)
    passed, out = check(profile="jiangxi", url=remotes["jiangxi"].url, key_env=OURS_ENV)
    assert passed, out
    assert "[通过 PASS] 密钥（DEMO）" in out


def test_missing_keys_fail_naming_the_variable() -> None:
    passed, out = check(profile="national", url="http://127.0.0.1:9", key_env="KITMISSING")
    assert not passed
    assert "[失败 FAIL] 密钥：缺少对接密钥：请设置环境变量 HCP_EXCHANGE_KITMISSING_HMAC" in out


@pytest.mark.parametrize(("script", "line"), [
    ({"garble_rate": 1.0}, "unreadable answer: exchange.malformed_answer"),
    ({"down": "503"}, "HTTP 503"),
    ({"down": "reset"}, "no answer ("),
])
def test_a_misbehaving_remote_fails_with_a_clear_line(
        remotes: dict[str, FakeRemoteProcess], script: dict[str, object], line: str) -> None:
    remote = remotes["national"]
    remote.reset()
    remote.control(**script)
    passed, out = check(profile="national", url=remote.url)
    remote.reset()
    assert not passed
    assert "RESULT: FAIL" in out
    assert any(line in row and row.startswith("            count query") for row in
               out.splitlines()), out


def test_a_remote_holding_other_keys_refuses_our_signature() -> None:
    env = {"HCP_EXCHANGE_KITOTHER_HMAC": "theirs:a-key-we-do-not-hold-0123456789"}
    with FakeRemoteProcess("national", key_env="KITOTHER", env=env) as remote:
        passed, out = check(profile="national", url=remote.url)
    assert not passed
    assert "对方返回 HTTP 401 exchange.unknown_key，请核对密钥、密钥编号和双方时钟" in out


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on (bound for a moment to find it, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_nothing_listening(closed_port: int) -> None:
    passed, out = check(profile="national", url=f"http://127.0.0.1:{closed_port}")
    assert not passed
    assert "没有应答（ConnectionRefusedError" in out
    passed, out = check(profile="anhui", url=f"http://127.0.0.1:{closed_port}")
    assert not passed
    assert f"[失败 FAIL] 连接 127.0.0.1:{closed_port} 失败" in out


def test_a_profile_an_office_added(tmp_path: Path) -> None:
    body = shipped_document("national")
    body.update(name="kitoffice", label="某市对接规范")
    body["count"] = {**body["count"], "path": "/office/count", "count": "n"}
    ProfileDoc.objects.create(name="kitoffice", label="某市对接规范", body=body)
    document = tmp_path / "kitoffice.json"
    document.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    with FakeRemoteProcess(profile_file=document) as remote:
        passed, out = check(profile="kitoffice", url=remote.url)
        assert remote.summary()["requests"] == {"count": 4}
    assert passed, out
    assert "某市对接规范（kitoffice）" in out
