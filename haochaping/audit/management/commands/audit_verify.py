"""``haochaping audit verify``: recompute the audit log's hash chains with the audit keys,
check the anchors of the anchor store (signatures, links) and the log against the latest.

Exit status 0 when the chain is intact, 1 when any problem is found (see docs/audit.md
for the runbook).
"""

from __future__ import annotations

import re
import sys
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from haochaping.audit.anchoring import StoreCheck, anchor_store_check
from haochaping.audit.rules import ChainProblem
from haochaping.audit.selectors import verify_audit_chain

HASH_RE = re.compile(r"^[0-9a-f]{64}$")
CHAIN_ANCHOR_RE = re.compile(r"^(\d+):(\d+):([0-9a-f]{64})$")


class Command(BaseCommand):
    help = ("校验审计日志哈希链：逐条重算摘要，报告被篡改、缺失或被截断的记录。"
            "发现问题时退出码为 1。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=5000,
                            help="每批读取的记录数（默认 5000）")
        parser.add_argument("--expect-seq", type=int, default=None,
                            help="外部保存的锚点序号（见 audit_anchor），用于发现末尾记录被删除")
        parser.add_argument("--expect-hash", default=None,
                            help="外部保存的锚点摘要，与 --expect-seq 一起使用")
        parser.add_argument("--expect-chain", action="append", default=[],
                            metavar="CHAIN:SEQ:HASH",
                            help="其他链的锚点（audit anchor 输出），可重复")
        parser.add_argument("--no-anchor-store", action="store_true",
                            help="不读取锚点库（HCP_AUDIT_ANCHOR_STORE），只校验哈希链")
        parser.add_argument("--require-anchors", action="store_true",
                            help="日志有记录而锚点库为空时报错（定时校验建议使用）")
        parser.add_argument("--anchor", type=int, default=None, metavar="N",
                            help="按锚点库的第 N 个锚点核对（如恢复的备份），而不是最新一个")

    def handle(self, *args: Any, **options: Any) -> None:
        expect_seq, expect_hash, chains = _expectations(options)
        try:
            store = None if options["no_anchor_store"] else anchor_store_check(
                upto=options["anchor"])
            report = verify_audit_chain(batch=options["batch"], expect_seq=expect_seq,
                                        expect_hash=expect_hash, expect_chains=chains,
                                        anchors=store.expectations() if store else ())
        except (ImproperlyConfigured, OSError) as exc:
            raise CommandError(f"无法校验：{exc}") from exc
        if store is not None:
            self.stdout.write(_store_line(store))
        problems = [*(store.problems if store else []), *report.problems]
        if store is not None and store.count == 0 and report.checked:
            empty = ChainProblem(0, "anchor_missing", "日志有记录而锚点库为空：检查 "
                                 "HCP_AUDIT_ANCHOR_DIR 与 audit.anchor 定时任务", anchor="-")
            if options["require_anchors"]:
                problems.append(empty)
            else:
                self.stdout.write(f"警告：{empty.detail}")
        if not problems:
            head = (f"，最后序号 {report.last_seq}，摘要 {report.last_hash}"
                    if report.last_seq is not None else "")
            anchored = expect_seq is not None or chains or (store and store.latest)
            anchor = "，与锚点一致" if anchored else ""
            old = f"（其中 {report.unkeyed} 条为启用密钥前的记录）" if report.unkeyed else ""
            self.stdout.write(f"已检查 {report.checked} 条记录{old}{head}{anchor}。OK")
            return
        self.stdout.write(f"已检查 {report.checked} 条记录，发现 {len(problems)} 个问题：")
        for problem in problems:
            self.stdout.write(_problem_line(problem))
        self.stdout.flush()
        sys.exit(1)


def _expectations(options: dict[str, Any]
                  ) -> tuple[int | None, str | None, dict[int, tuple[int, str]]]:
    """The anchors given on the command line, checked; CommandError otherwise."""
    expect_seq: int | None = options["expect_seq"]
    expect_hash: str | None = options["expect_hash"]
    if (expect_seq is None) != (expect_hash is None):
        raise CommandError("--expect-seq 与 --expect-hash 必须同时提供")
    if expect_hash is not None and not HASH_RE.match(expect_hash):
        raise CommandError("--expect-hash 应为 64 位十六进制摘要")
    if options["batch"] < 1:
        raise CommandError("--batch 必须为正整数")
    if options["anchor"] is not None and (options["anchor"] < 1 or options["no_anchor_store"]):
        raise CommandError("--anchor 须为正整数，且不能与 --no-anchor-store 同用")
    chains: dict[int, tuple[int, str]] = {}
    for text in options["expect_chain"]:
        match = CHAIN_ANCHOR_RE.match(text)
        if match is None:
            raise CommandError("--expect-chain 应为 链:序号:64 位十六进制摘要")
        chains[int(match[1])] = (int(match[2]), match[3])
    return expect_seq, expect_hash, chains


def _store_line(store: StoreCheck) -> str:
    if store.latest is None:
        return f"锚点库 {store.location}：{'尚无锚点' if not store.count else '没有有效锚点'}"
    return (f"锚点库 {store.location}：{store.count} 个锚点，"
            f"以第 {store.latest.number} 个（{store.latest.at}）核对")


def _problem_line(problem: ChainProblem) -> str:
    if problem.anchor:
        return f"锚点 {problem.anchor}\t{problem.kind}\t{problem.detail}"
    chain = f"链 {problem.chain} " if problem.chain else ""
    return f"{chain}序号 {problem.seq}\t{problem.kind}\t{problem.detail}"
