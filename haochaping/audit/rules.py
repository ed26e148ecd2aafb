"""Hash-chain arithmetic for the audit log. Pure: no ORM, no clock."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from itertools import groupby
from typing import Any

GENESIS_HASH = "0" * 64
# Concurrent writers append to separate chains (docs/audit.md "Chains"): a writer takes
# the first chain no other transaction holds, so up to CHAINS appends run at once.
CHAINS = 16


def canonical(content: Mapping[str, Any]) -> str:
    """Stable JSON: sorted keys, no whitespace, non-ASCII kept, everything else as str."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def chain_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(canonical(content).encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    kind: str  # "altered" | "missing" | "relinked" | "truncated" | "anchor_mismatch"
    detail: str
    chain: int = 0


def verify_chain(rows: Iterable[tuple[int, str, str, Mapping[str, Any]]],
                 start_seq: int = 1, start_prev: str = GENESIS_HASH) -> list[ChainProblem]:
    """Check rows ``(seq, prev_hash, hash, content)`` in ``seq`` order.

    Reports a gap in ``seq`` (a removed row), a ``prev_hash`` that does not match the row
    before (a removed or re-ordered row) and a ``hash`` that does not match the content
    (an altered row).
    """
    problems: list[ChainProblem] = []
    expected_seq = start_seq
    expected_prev = start_prev
    for seq, prev_hash, row_hash, content in rows:
        if seq != expected_seq:
            problems.append(ChainProblem(expected_seq, "missing",
                                         f"序号 {expected_seq}–{seq - 1} 的记录缺失"))
        if prev_hash != expected_prev:
            problems.append(ChainProblem(seq, "relinked", "前一条摘要与链不一致"))
        if chain_hash(prev_hash, content) != row_hash:
            problems.append(ChainProblem(seq, "altered", "记录内容与摘要不一致（被篡改）"))
        expected_seq = seq + 1
        expected_prev = row_hash
    return problems


def verify_chains(rows: Iterable[tuple[int, int, str, str, Mapping[str, Any]]]
                  ) -> list[ChainProblem]:
    """Check rows ``(chain, seq, prev_hash, hash, content)`` in ``(chain, seq)`` order:
    each chain on its own (:func:`verify_chain`), problems tagged with their chain."""
    problems: list[ChainProblem] = []
    for chain, group in groupby(rows, key=lambda row: row[0]):
        problems += [replace(p, chain=chain) for p in verify_chain(row[1:] for row in group)]
    return problems


def anchor_problems(expect_seq: int, expect_hash: str, hash_at_seq: str | None,
                    last_seq: int | None) -> list[ChainProblem]:
    """Compare the chain with an anchor ``(seq, hash)`` an operator recorded elsewhere.

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
