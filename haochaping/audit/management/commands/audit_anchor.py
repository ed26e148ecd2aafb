"""``haochaping audit anchor``: print the heads of the audit chains and append a signed
anchor of them to the anchor store at once (the job ``audit.anchor`` does it periodically).

The printed heads may also be recorded elsewhere (a ticket, a signed e-mail) and passed to
``audit verify --expect-seq/--expect-hash/--expect-chain``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from haochaping.audit.anchoring import audit_anchor_write
from haochaping.audit.selectors import audit_anchor, audit_anchors


class Command(BaseCommand):
    help = ("输出审计日志各链最新一条记录的序号与摘要（锚点），并写入数据库之外的锚点库"
            "（HCP_AUDIT_ANCHOR_STORE）。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-store", action="store_true",
                            help="只输出，不写入锚点库")

    def handle(self, *args: Any, **options: Any) -> None:
        anchor = audit_anchor()
        others = [a for a in audit_anchors() if a.chain != 0]
        if anchor is None and not others:
            self.stdout.write("审计日志为空")
            return
        command = "校验命令：haochaping audit verify"
        if anchor is not None:
            self.stdout.write(f"seq={anchor.seq} hash={anchor.hash} at={anchor.at}")
            command += f" --expect-seq {anchor.seq} --expect-hash {anchor.hash}"
        for other in others:  # the chains concurrent writers appended to
            self.stdout.write(f"chain={other.chain} seq={other.seq} hash={other.hash} "
                              f"at={other.at}")
            command += f" --expect-chain {other.chain}:{other.seq}:{other.hash}"
        self.stdout.write(command)
        if options["no_store"]:
            return
        written = audit_anchor_write(now=timezone.now())
        if written is None:
            self.stdout.write("锚点库已是最新：自上一个锚点以来日志没有新记录")
        else:
            self.stdout.write(f"已写入锚点库：{written.location}/{written.name}")
