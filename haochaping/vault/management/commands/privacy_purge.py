"""Purge personal data past its retention period now (the job ``vault.retention_purge``
runs the same daily); ``--dry-run`` prints what would be purged and writes nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from haochaping.core.localtime import local_day
from haochaping.vault.inventory import INVENTORY
from haochaping.vault.retention import BATCH_SIZE, purge_all


class Command(BaseCommand):
    help = "按保存期限清除个人信息（--dry-run 只统计不清除）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只统计将清除的条数")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        dry = options["dry_run"]
        labels: dict[str, str] = {}
        for entry in INVENTORY:
            if entry.retention:
                labels.setdefault(entry.model, entry.label)
        outcomes = purge_all(now=timezone.now(), dry_run=dry,
                             batch_size=max(1, options["batch_size"]))
        verb = "将清除" if dry else "已清除"
        for o in outcomes:
            self.stdout.write(f"{labels.get(o.model, o.model)}（{o.model}）：保存 {o.days} 天，"
                              f"{local_day(o.cutoff)} 之前的{verb} {o.rows} 条")
        total = sum(o.rows for o in outcomes)
        done = "试运行，未写入" if dry else "完成"
        self.stdout.write(self.style.SUCCESS(f"{done}：共{verb} {total} 条"))
