"""Key rings from the environment: names, formats, rotation order, clear errors."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from haochaping.exchange.keys import env_name, key_ring, key_status
from haochaping.exchange.rules.canonical import Kind
from haochaping.exchange.rules.codec import decode_batch, encode_batch
from haochaping.exchange.rules.errors import KeyConfigError
from haochaping.exchange.rules.profiles import shipped_profile
from haochaping.exchange.rules.signing import KeyRing, KeySet, sm2_keypair
from haochaping.exchange.tests.test_codec import rating

SECRET = "a-shared-secret-of-32-characters"
OLD = "the-previous-shared-secret-value"


def _refused(key_env: str, profile_name: str | None = None) -> KeyConfigError:
    with pytest.raises(KeyConfigError) as caught:
        key_ring(key_env, shipped_profile(profile_name) if profile_name else None)
    return caught.value


def test_names() -> None:
    assert env_name("jx", "HMAC") == "HCP_EXCHANGE_JX_HMAC"
    assert env_name("ZJ_PROVINCE", "SM2_PEER_PUBLIC") == "HCP_EXCHANGE_ZJ_PROVINCE_SM2_PEER_PUBLIC"
    with pytest.raises(KeyConfigError, match="key_env"):
        env_name("jx-1", "HMAC")


def test_hmac_ring_current_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HCP_EXCHANGE_NAT_HMAC", f"k2:{SECRET}, k1:{OLD}")
    ring = key_ring("nat", shipped_profile("national"))
    assert ring.hmac.current == ("k2", SECRET.encode())
    assert ring.hmac.ids == ("k2", "k1")
    assert not ring.sm4


def test_missing_keys_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    error = _refused("nat", "national")
    assert error.code == "exchange.key_missing"
    assert error.field == "HCP_EXCHANGE_NAT_HMAC"
    assert "请设置环境变量 HCP_EXCHANGE_NAT_HMAC" in error.message
    assert "set HCP_EXCHANGE_NAT_HMAC" in error.message
    monkeypatch.setenv("HCP_EXCHANGE_JX_SM2_PRIVATE", "s1:" + sm2_keypair()[0].hex())
    assert _refused("jx", "jiangxi").field == "HCP_EXCHANGE_JX_SM2_PEER_PUBLIC"
    assert key_ring("jx").sm2_private.ids == ("s1",)  # without a profile nothing is required


@pytest.mark.parametrize(("purpose", "value", "fragment"), [
    ("HMAC", "k1:short", "16"),
    ("HMAC", "no-colon", "<密钥编号>:<密钥>"),
    ("HMAC", f"k1:{SECRET},k1:{OLD}", "重复"),
    ("HMAC", f"bad id:{SECRET}", "<密钥编号>:<密钥>"),
    ("SM4", "e1:0011", "32 位十六进制"),
    ("SM4", "e1:" + "g" * 32, "32 位十六进制"),
    ("SM2_PRIVATE", "s1:" + "00" * 32, "SM2"),
    ("SM2_PEER_PUBLIC", "s1:" + "11" * 64, "曲线"),
])
def test_malformed_keys(monkeypatch: pytest.MonkeyPatch, purpose: str, value: str,
                        fragment: str) -> None:
    var = f"HCP_EXCHANGE_X_{purpose}"
    monkeypatch.setenv(var, value)
    error = _refused("x")
    assert error.code == "exchange.key_config"
    assert error.field == var
    assert fragment in error.message
    assert value.split(":", 1)[-1] not in error.message  # the key material is never echoed


def test_keys_from_files_and_a_working_ring(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    ours, theirs = sm2_keypair(), sm2_keypair()
    secret_file = tmp_path / "sm2"
    secret_file.write_text(f"s2:{ours[0].hex()}\n", encoding="utf-8")
    monkeypatch.setenv("HCP_EXCHANGE_JX_SM2_PRIVATE_FILE", str(secret_file))
    monkeypatch.setenv("HCP_EXCHANGE_JX_SM2_PEER_PUBLIC", "r1:04" + theirs[1].hex())
    monkeypatch.setenv("HCP_EXCHANGE_JX_SM4", "e1:" + "ab" * 16)
    profile = shipped_profile("jiangxi")
    ring = key_ring("jx", profile)
    now = datetime(2026, 5, 1, tzinfo=UTC)
    request = encode_batch(profile, Kind.RATING, [("rating:R1:saved:1", rating())], keys=ring,
                           now=now, nonce="nonce-123456")
    remote = KeyRing(sm2_peer_public=KeySet.of(("s2", ours[1])), sm4=ring.sm4)
    assert decode_batch(profile, Kind.RATING, request.headers, request.body, keys=remote,
                        now=now).items[0][1].rater == rating().rater
    assert key_status("jx", profile) == "SM2_PRIVATE: s2；SM2_PEER_PUBLIC: r1；SM4: e1"


def test_status_shows_the_problem_not_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "HCP_EXCHANGE_NAT_HMAC" in key_status("nat", shipped_profile("national"))
    monkeypatch.setenv("HCP_EXCHANGE_NAT_HMAC", f"k2:{SECRET}")
    status = key_status("nat", shipped_profile("national"))
    assert status == "HMAC: k2"
    assert SECRET not in status
