"""Hash-chain arithmetic for the audit log. Pure: no ORM, no clock; keys are passed in.

Two algorithms, chosen per row by whether its content names a key (docs/audit.md):

- v1, rows without ``key_id`` (written before issue 17): SHA-256 over ``prev_hash`` and
  the canonical JSON. Anybody can recompute it, so on its own it only detects accidents.
- v2, rows with ``key_id``: HMAC-SHA256 with the key of that id (``HCP_AUDIT_KEYS``, from
  the environment, never the database). Without the key, a rewritten row cannot be given
  a matching hash, and every v1 row before a v2 row is covered too: the v2 row's MAC
  covers its ``prev_hash``, which commits to the whole chain before it.

Once a chain has a keyed row, a later row without a key is reported (``downgraded``): an
attacker cannot rewrite the tail with the public v1 algorithm either.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from itertools import groupby
from typing import Any

GENESIS_HASH = "0" * 64
# Concurrent writers append to separate chains (docs/audit.md "Chains"): a writer takes
# the first chain no other transaction holds, so up to CHAINS appends run at once.
CHAINS = 16
# Domain separation: an audit MAC can never be mistaken for another HMAC of the same key.
MAC_DOMAIN = b"haochaping/audit/v2\x00"
KEY_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")  # AuditEvent.key_id holds 16 characters
MIN_KEY_BYTES = 32


def canonical(content: Mapping[str, Any]) -> str:
    """Stable JSON: sorted keys, no whitespace, non-ASCII kept, everything else as str."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def chain_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    """v1 (unkeyed) digest of a row: rows written before the chain was keyed."""
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(canonical(content).encode("utf-8"))
    return digest.hexdigest()


def chain_mac(key: bytes, prev_hash: str, content: Mapping[str, Any]) -> str:
    """v2 (keyed) digest of a row: HMAC-SHA256 over ``prev_hash`` and the content."""
    mac = hmac.new(key, MAC_DOMAIN, hashlib.sha256)
    mac.update(prev_hash.encode("ascii"))
    mac.update(canonical(content).encode("utf-8"))
    return mac.hexdigest()


@dataclass(frozen=True)
class AuditKeys:
    """The audit keys of ``HCP_AUDIT_KEYS``: ``current`` signs new rows and anchors, every
    key verifies (rotation: a new key goes first, retired ones stay to verify old rows)."""

    current: str
    keys: Mapping[str, bytes]

    def digest(self, prev_hash: str, content: Mapping[str, Any]) -> str | None:
        """The digest a row must carry: v2 with its ``key_id``, v1 without one; None when
        its key is not configured."""
        key_id = content.get("key_id")
        if key_id is None:
            return chain_hash(prev_hash, content)
        key = self.keys.get(str(key_id))
        return None if key is None else chain_mac(key, prev_hash, content)

    def sign(self, payload: bytes) -> str:
        """HMAC-SHA256 of any other record (an anchor) with the current key."""
        signature = self.mac(self.current, payload)
        if signature is None:
            raise ValueError("no audit key to sign with (HCP_AUDIT_KEYS)")
        return signature

    def mac(self, key_id: str, payload: bytes) -> str | None:
        key = self.keys.get(key_id)
        if key is None:
            return None
        return hmac.new(key, MAC_DOMAIN + payload, hashlib.sha256).hexdigest()


NO_KEYS = AuditKeys(current="", keys={})


def parse_audit_keys(spec: str) -> AuditKeys:
    """``"id1:base64key,id2:base64key"``, the first signs. Raises ValueError."""
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        key_id, sep, encoded = part.partition(":")
        key_id = key_id.strip()
        if not sep or not KEY_ID_RE.match(key_id):
            raise ValueError("each HCP_AUDIT_KEYS entry must be <id>:<base64 key>, "
                             "the id 1-16 letters, digits, '-' or '_'")
        try:
            raw = base64.b64decode(encoded.strip(), validate=True)
        except binascii.Error as exc:
            raise ValueError(f"audit key {key_id!r} is not valid base64") from exc
        if len(raw) < MIN_KEY_BYTES:
            raise ValueError(f"audit key {key_id!r} is shorter than {MIN_KEY_BYTES} bytes")
        if key_id in keys:
            raise ValueError(f"audit key id {key_id!r} is listed twice")
        keys[key_id] = raw
        order.append(key_id)
    if not order:
        raise ValueError("HCP_AUDIT_KEYS holds no key")
    return AuditKeys(current=order[0], keys=keys)


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    # "altered" | "missing" | "relinked" | "unknown_key" | "downgraded" | "truncated" |
    # "anchor_mismatch" | "anchor_invalid" | "anchor_broken" (the last two: anchor files)
    kind: str
    detail: str
    chain: int = 0
    anchor: str = ""  # the anchor file a problem of the anchor store is about


def verify_chain(rows: Iterable[tuple[int, str, str, Mapping[str, Any]]],
                 keys: AuditKeys = NO_KEYS, start_seq: int = 1,
                 start_prev: str = GENESIS_HASH) -> list[ChainProblem]:
    """Check rows ``(seq, prev_hash, hash, content)`` in ``seq`` order.

    Reports a gap in ``seq`` (a removed row), a ``prev_hash`` that does not match the row
    before (a removed or re-ordered row), a ``hash`` that does not match the content (an
    altered row, or one rewritten without the key), a key that is not configured, and an
    unkeyed row after a keyed one.
    """
    problems: list[ChainProblem] = []
    expected_seq = start_seq
    expected_prev = start_prev
    keyed = False
    for seq, prev_hash, row_hash, content in rows:
        if seq != expected_seq:
            problems.append(ChainProblem(expected_seq, "missing",
                                         f"序号 {expected_seq}–{seq - 1} 的记录缺失"))
        if prev_hash != expected_prev:
            problems.append(ChainProblem(seq, "relinked", "前一条摘要与链不一致"))
        key_id = content.get("key_id")
        if key_id is None and keyed:
            problems.append(ChainProblem(seq, "downgraded",
                                         "链中已有带密钥的记录，此后的记录却不带密钥（疑被重算）"))
        keyed = keyed or key_id is not None
        digest = keys.digest(prev_hash, content)
        if digest is None:
            problems.append(ChainProblem(seq, "unknown_key",
                                         f"记录的密钥 {key_id} 未配置（HCP_AUDIT_KEYS），无法校验"))
        elif not hmac.compare_digest(digest, row_hash):
            problems.append(ChainProblem(seq, "altered", "记录内容与摘要不一致（被篡改）"))
        expected_seq = seq + 1
        expected_prev = row_hash
    return problems


def verify_chains(rows: Iterable[tuple[int, int, str, str, Mapping[str, Any]]],
                  keys: AuditKeys = NO_KEYS) -> list[ChainProblem]:
    """Check rows ``(chain, seq, prev_hash, hash, content)`` in ``(chain, seq)`` order:
    each chain on its own (:func:`verify_chain`), problems tagged with their chain."""
    problems: list[ChainProblem] = []
    for chain, group in groupby(rows, key=lambda row: row[0]):
        problems += [replace(p, chain=chain)
                     for p in verify_chain((row[1:] for row in group), keys)]
    return problems


def anchor_problems(expect_seq: int, expect_hash: str, hash_at_seq: str | None,
                    last_seq: int | None) -> list[ChainProblem]:
    """Compare the chain with an anchor ``(seq, hash)`` kept outside the database.

    The chain alone cannot reveal rows removed from its end (the shorter chain is still
    valid); an anchor can: the row at ``expect_seq`` must still exist with that hash.
    """
    if hash_at_seq is None:
        found = "日志为空" if last_seq is None else f"当前最后序号为 {last_seq}"
        return [ChainProblem(
            expect_seq, "truncated",
            f"锚点序号 {expect_seq} 的记录不存在（{found}），日志末尾记录可能被删除")]
    if hash_at_seq != expect_hash:
        return [ChainProblem(expect_seq, "anchor_mismatch",
                             "锚点记录的摘要与外部保存的摘要不一致（日志被重写）")]
    return []
