"""``haochaping db restore FILE --into URL``: ``pg_restore`` a backup into a fresh, empty
database (core.backup; docs/security.md "Backup and restore")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haochaping.core.backup import BackupError, restore


class Command(BaseCommand):
    help = ("PostgreSQL：把 db backup 的备份恢复到新建的空数据库（单个事务，不带原属主与授权）；"
            "之后运行 db roles --apply 与 audit verify。")
    requires_system_checks: list[str] = []  # the target is another database

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dump", help="db backup 生成的备份文件")
        parser.add_argument("--into", required=True,
                            help="目标数据库 URL（postgres://…，须为新建的空数据库；口令请放在 "
                                 ".pgpass 中）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restore(Path(options["dump"]), options["into"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已恢复到 {options['into']}")
