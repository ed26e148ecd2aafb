"""Key rings of the remotes, from the environment (never the database or the repository).

A ``Remote`` names its ``key_env``, say ``JX``; its keys are then

| variable | holds |
| --- | --- |
| ``HCP_EXCHANGE_JX_HMAC`` | HMAC-SHA256 secrets shared with the remote: ``kid:secret,…`` |
| ``HCP_EXCHANGE_JX_SM4`` | SM4 keys shared with the remote: ``kid:32 hex digits,…`` |
| ``HCP_EXCHANGE_JX_SM2_PRIVATE`` | our SM2 private keys: ``kid:64 hex digits,…`` |
| ``HCP_EXCHANGE_JX_SM2_PEER_PUBLIC`` | the remote's SM2 public keys: ``kid:128 hex`` (X‖Y) |

(an SM2 public key may also carry the leading ``04`` of its uncompressed form).

In each list the first key is current (it signs, encrypts); the others only verify and
decrypt, so a rotation puts the new key first and drops the old one once nothing signed
with it can still arrive. Each variable may instead be given as ``…_FILE`` naming a file
that holds the value (mounted secrets), as every secret of the platform. No ORM.
"""

from __future__ import annotations

import re

from haochaping.core.env import env_str
from haochaping.exchange.rules.errors import KeyConfigError
from haochaping.exchange.rules.profile_schema import HMAC_SHA256, SM2_SM3, Profile
from haochaping.exchange.rules.signing import (
    SM4_KEY_BYTES,
    KeyRing,
    KeySet,
    sm2_check_public,
    sm2_public_key,
)

PREFIX = "HCP_EXCHANGE_"
PURPOSES = ("HMAC", "SM4", "SM2_PRIVATE", "SM2_PEER_PUBLIC")
MIN_HMAC_BYTES = 16
_KEY_ENV = re.compile(r"[A-Z][A-Z0-9_]{0,39}")
_KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def env_name(key_env: str, purpose: str) -> str:
    """The variable holding ``purpose`` keys of a remote (``key_env`` in any case)."""
    name = key_env.strip().upper()
    if not _KEY_ENV.fullmatch(name):
        raise KeyConfigError(
            "exchange.key_config",
            f"密钥环境变量名 “{key_env}” 无效：只能用字母、数字和下划线，以字母开头"
            f"（invalid key_env {key_env!r}: letters, digits and _, starting with a letter）",
            "key_env")
    return f"{PREFIX}{name}_{purpose}"


def needed(profile: Profile) -> tuple[str, ...]:
    """The purposes whose keys ``profile`` signs, verifies and encrypts with."""
    purposes = ["HMAC"] if profile.signing.alg == HMAC_SHA256 else []
    if profile.signing.alg == SM2_SM3:
        purposes += ["SM2_PRIVATE", "SM2_PEER_PUBLIC"]
    if profile.encryption.alg == "sm4":
        purposes.append("SM4")
    return tuple(purposes)


def _bad(var: str, why: str, why_en: str) -> KeyConfigError:
    return KeyConfigError("exchange.key_config", f"环境变量 {var} 无效：{why}（{var}: {why_en}）",
                          var)


def _hex(var: str, key_id: str, text: str, lengths: tuple[int, ...]) -> bytes:
    if len(text) not in lengths or not re.fullmatch(r"[0-9A-Fa-f]+", text):
        digits = " 或 ".join(str(n) for n in lengths)
        raise _bad(var, f"密钥 {key_id} 应为 {digits} 位十六进制数",
                   f"key {key_id} must be {' or '.join(str(n) for n in lengths)} hex digits")
    return bytes.fromhex(text)


def _material(var: str, purpose: str, key_id: str, text: str) -> bytes:
    if purpose == "HMAC":
        raw = text.encode("utf-8")
        if len(raw) < MIN_HMAC_BYTES:
            raise _bad(var, f"密钥 {key_id} 至少 {MIN_HMAC_BYTES} 个字节",
                       f"key {key_id} needs at least {MIN_HMAC_BYTES} bytes")
        return raw
    if purpose == "SM4":
        return _hex(var, key_id, text, (SM4_KEY_BYTES * 2,))
    try:
        if purpose == "SM2_PRIVATE":
            private = _hex(var, key_id, text, (64,))
            sm2_public_key(private)  # checks the scalar
            return private
        return sm2_check_public(_hex(var, key_id, text, (128, 130)))
    except KeyConfigError as exc:
        raise _bad(var, f"密钥 {key_id}：{exc.message}", f"key {key_id} is not a valid SM2 key") \
            from None


def key_set(var: str, purpose: str, spec: str) -> KeySet:
    """Parse ``kid:value,kid:value`` (first current) for ``purpose``."""
    entries: list[tuple[str, bytes]] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        key_id, sep, value = part.partition(":")
        key_id = key_id.strip()
        if not sep or not _KEY_ID.fullmatch(key_id) or not value.strip():
            raise _bad(var, "每一项应为 <密钥编号>:<密钥>，以逗号分隔",
                       "each entry is <key id>:<key>, comma-separated")
        if any(known == key_id for known, _ in entries):
            raise _bad(var, f"密钥编号 {key_id} 重复", f"key id {key_id} is listed twice")
        entries.append((key_id, _material(var, purpose, key_id, value.strip())))
    return KeySet(tuple(entries))


def key_ring(key_env: str, profile: Profile | None = None) -> KeyRing:
    """The key ring of a remote. With ``profile``, the keys it needs must be set
    (KeyConfigError naming the variable otherwise); keys of other purposes are read too
    when set."""
    sets: dict[str, KeySet] = {}
    for purpose in PURPOSES:
        var = env_name(key_env, purpose)
        sets[purpose] = key_set(var, purpose, env_str(var, ""))
    if profile is None:
        return _ring(sets)
    for purpose in needed(profile):
        if not sets[purpose]:
            var = env_name(key_env, purpose)
            raise KeyConfigError(
                "exchange.key_missing",
                f"缺少对接密钥：请设置环境变量 {var}（对接规范 {profile.name} 需要）"
                f"（missing exchange key: set {var}, needed by profile {profile.name}）", var)
    return _ring(sets)


def _ring(sets: dict[str, KeySet]) -> KeyRing:
    return KeyRing(hmac=sets["HMAC"], sm4=sets["SM4"], sm2_private=sets["SM2_PRIVATE"],
                   sm2_peer_public=sets["SM2_PEER_PUBLIC"])


def key_status(key_env: str, profile: Profile) -> str:
    """One line for the admin: which keys are set (ids only, never the material), or what
    is missing or malformed."""
    try:
        ring = key_ring(key_env, profile)
    except KeyConfigError as exc:
        return exc.message
    parts = {"HMAC": ring.hmac, "SM4": ring.sm4, "SM2_PRIVATE": ring.sm2_private,
             "SM2_PEER_PUBLIC": ring.sm2_peer_public}
    return "；".join(f"{purpose}: {', '.join(parts[purpose].ids)}"
                     for purpose in needed(profile)) or "无需密钥"
