"""Signed anchors of the audit chain heads, kept outside the database (docs/audit.md
"Anchors"). Pure: no ORM, no clock, no file system; keys and bytes are passed in.

An anchor is one canonical JSON document::

    {"v": 1, "number": 7, "at": "2026-11-23T02:00:00+00:00",
     "heads": {"0": [81234, "3f9a…"], "5": [9120, "77c0…"]},
     "prev": "<SHA-256 of the previous anchor's bytes>", "key_id": "k2", "mac": "…"}

``heads`` holds the last (seq, hash) of every chain; ``mac`` is the HMAC-SHA256 of the
rest with the audit key ``key_id``, so nobody without the key can forge one; ``number``
and ``prev`` chain the anchors, so removing, reordering or replacing one of them shows.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from haochaping.audit.rules import AuditKeys, ChainProblem, canonical

ANCHOR_VERSION = 1
FIRST_PREV = "0" * 64

Heads = Mapping[int, tuple[int, str]]  # chain → (seq, hash) of its last row


@dataclass(frozen=True)
class AnchorDoc:
    number: int
    at: str
    heads: dict[int, tuple[int, str]]
    prev: str
    key_id: str
    mac: str


def _body(number: int, at: str, heads: Heads, prev: str, key_id: str) -> dict[str, Any]:
    return {"v": ANCHOR_VERSION, "number": number, "at": at, "prev": prev, "key_id": key_id,
            "heads": {str(chain): [seq, digest] for chain, (seq, digest) in sorted(heads.items())}}


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def anchor_encode(keys: AuditKeys, *, number: int, at: str, heads: Heads, prev: str) -> bytes:
    """The bytes of a new anchor, signed with the current key."""
    body = _body(number, at, heads, prev, keys.current)
    mac = keys.sign(canonical(body).encode("utf-8"))
    return (canonical({**body, "mac": mac}) + "\n").encode("utf-8")


def anchor_decode(data: bytes) -> AnchorDoc:
    """Parse an anchor; ValueError when it is not one (the signature is not checked)."""
    try:
        raw = json.loads(data.decode("utf-8"))
        heads = {int(chain): (int(pair[0]), str(pair[1]))
                 for chain, pair in dict(raw["heads"]).items()}
        doc = AnchorDoc(number=int(raw["number"]), at=str(raw["at"]), heads=heads,
                        prev=str(raw["prev"]), key_id=str(raw["key_id"]), mac=str(raw["mac"]))
        version = raw["v"]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise ValueError(f"not an anchor: {exc}") from exc
    if version != ANCHOR_VERSION:
        raise ValueError(f"unknown anchor version {version!r}")
    return doc


def signature_valid(doc: AnchorDoc, keys: AuditKeys) -> bool | None:
    """Whether the anchor's MAC is right; None when its key is not configured."""
    body = _body(doc.number, doc.at, doc.heads, doc.prev, doc.key_id)
    expected = keys.mac(doc.key_id, canonical(body).encode("utf-8"))
    if expected is None:
        return None
    return hmac.compare_digest(expected, doc.mac)


def next_anchor(keys: AuditKeys, latest: bytes | None, heads: Heads, at: str
                ) -> tuple[int, bytes] | None:
    """(number, bytes) of the anchor to append after ``latest``, or None when the heads
    have not moved since (an idle log needs no new file)."""
    number, prev = 1, FIRST_PREV
    if latest is not None:
        doc = anchor_decode(latest)
        if doc.heads == dict(heads):
            return None
        number, prev = doc.number + 1, file_digest(latest)
    return number, anchor_encode(keys, number=number, at=at, heads=heads, prev=prev)


def _problem(name: str, kind: str, detail: str, number: int = 0) -> ChainProblem:
    return ChainProblem(seq=number, kind=kind, detail=detail, anchor=name)


def _moved_back(before: Heads, after: Heads) -> list[str]:
    """Chains whose head in ``after`` is behind (or another row than) in ``before``."""
    moved = []
    for chain, (seq, digest) in sorted(before.items()):
        now = after.get(chain)
        if now is None or now[0] < seq or (now[0] == seq and now[1] != digest):
            moved.append(str(chain))
    return moved


def check_anchor_files(files: Iterable[tuple[str, bytes]], keys: AuditKeys,
                       upto: int | None = None
                       ) -> tuple[AnchorDoc | None, int, list[ChainProblem]]:
    """Check anchors in their order: each signed by a configured key, numbered 1, 2, 3 …,
    linked to the one before, no chain's head going back. Returns the latest correctly
    signed anchor (the one to check the database against; with ``upto``, anchor number
    ``upto``, and the anchors after it are not read), the count and the problems."""
    problems: list[ChainProblem] = []
    latest: AnchorDoc | None = None
    before: tuple[AnchorDoc, bytes] | None = None
    count = 0
    for name, data in files:
        if upto is not None and latest is not None and latest.number >= upto:
            break
        count += 1
        try:
            doc = anchor_decode(data)
        except ValueError:
            problems.append(_problem(name, "anchor_invalid", "锚点文件无法解析（被改动）"))
            before = None
            continue
        valid = signature_valid(doc, keys)
        if valid is None:
            problems.append(_problem(name, "anchor_invalid",
                                     f"锚点的密钥 {doc.key_id} 未配置，无法校验", doc.number))
        elif not valid:
            problems.append(_problem(name, "anchor_invalid", "锚点签名不符（伪造或被改动）",
                                     doc.number))
        else:
            latest = doc
        if before is not None:
            expect: tuple[int, str] | None = (before[0].number + 1, file_digest(before[1]))
        else:  # the first anchor, or the one after an unreadable file (reported already)
            expect = (1, FIRST_PREV) if count == 1 else None
        if expect is not None and (doc.number, doc.prev) != expect:
            problems.append(_problem(name, "anchor_broken",
                                     f"锚点编号或前一锚点摘要不连续（应为第 {expect[0]} 个），"
                                     "锚点被删除、替换或插入", doc.number))
        moved = _moved_back(before[0].heads, doc.heads) if before else []
        if moved:
            problems.append(_problem(name, "anchor_broken",
                                     f"链 {'、'.join(moved)} 的头部比上一个锚点更早", doc.number))
        before = (doc, data)
    if upto is not None and (latest is None or latest.number != upto):
        problems.append(_problem(f"#{upto}", "anchor_invalid",
                                 f"没有签名正确的第 {upto} 个锚点", upto))
        latest = None
    return latest, count, problems
