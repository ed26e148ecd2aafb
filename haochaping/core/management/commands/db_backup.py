"""``haochaping db backup --out FILE``: ``pg_dump`` the database (core.backup;
docs/security.md "Backup and restore")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from haochaping.core.backup import BackupError, backup


class Command(BaseCommand):
    help = ("PostgreSQL：用 pg_dump 备份整个数据库（custom 格式，一致的快照，服务不停）。"
            "先运行 haochaping audit anchor，恢复后可按该锚点校验；恢复：haochaping db restore。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="备份文件（不覆盖已有文件）")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("db backup 只适用于 PostgreSQL"
                               "（SQLite：用 sqlite3 的 .backup 命令）")
        try:
            backup(connection.settings_dict, Path(options["out"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已备份到 {options['out']}")
