"""``haochaping audit anchor``: print the head of the audit chain.

Record the output somewhere the database's administrators cannot rewrite (a ticket, a
signed e-mail, another system), then pass it to ``audit verify --expect-seq/--expect-hash``
to detect rows removed from the end of the log.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from haochaping.audit.selectors import audit_anchor, audit_anchors


class Command(BaseCommand):
    help = "输出审计日志最新一条记录的序号与摘要（锚点），供在数据库之外留存。"

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
