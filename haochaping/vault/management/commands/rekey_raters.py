"""Re-encrypt rater identity with the current field key (first of HCP_FIELD_KEYS).

Run after putting a new key first in HCP_FIELD_KEYS (keep the old one listed until this
finishes); safe to interrupt and re-run (docs/privacy.md, "Key rotation").
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from haochaping.vault.keys import field_ring
from haochaping.vault.models import Rater
from haochaping.vault.rekey import rekey_batch


class Command(BaseCommand):
    help = "用当前字段密钥重新加密评价人身份信息（密钥轮换）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        current = field_ring().current
        stale = Rater.objects.exclude(key_id=current).count()
        self.stdout.write(f"当前密钥 {current}：待重新加密 {stale} 条")
        total, last = 0, 0
        while True:
            done, last = rekey_batch(after_pk=last, batch_size=options["batch_size"])
            if not done:
                break
            total += done
            self.stdout.write(f"已重新加密 {total} 条（至 id {last}）")
        self.stdout.write(self.style.SUCCESS(f"完成：共重新加密 {total} 条"))
