"""``haochaping audit anchor``: print the head of the audit chain.

Record the output somewhere the database's administrators cannot rewrite (a ticket, a
signed e-mail, another system), then pass it to ``audit verify --expect-seq/--expect-hash``
to detect rows removed from the end of the log.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from haochaping.audit.selectors import audit_anchor


class Command(BaseCommand):
    help = "输出审计日志最新一条记录的序号与摘要（锚点），供在数据库之外留存。"

    def handle(self, *args: Any, **options: Any) -> None:
        anchor = audit_anchor()
        if anchor is None:
            self.stdout.write("审计日志为空")
            return
        self.stdout.write(f"seq={anchor.seq} hash={anchor.hash} at={anchor.at}")
        self.stdout.write(f"校验命令：haochaping audit verify --expect-seq {anchor.seq} "
                          f"--expect-hash {anchor.hash}")
