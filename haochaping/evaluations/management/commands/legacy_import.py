"""``haochaping evaluations import-legacy FILE --source NAME [--dry-run] [--user NAME]``:
a legacy satisfaction system's ratings from XLSX/CSV (docs/import-format.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haochaping.catalog.management.commands._catalog_actor import command_actor
from haochaping.core.errors import AppError
from haochaping.evaluations.legacy.services import legacy_import_file


class Command(BaseCommand):
    help = "Import a legacy satisfaction system's ratings (XLSX/CSV), marked with its source."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", required=True,
                            help="name of the legacy system the ratings come from")
        parser.add_argument("--dry-run", action="store_true",
                            help="decide every row and report; write nothing")
        parser.add_argument("--user", help="act as this user (role and org subtree)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            result = legacy_import_file(actor=command_actor(options["user"]),
                                        source=options["source"], data=path.read_bytes(),
                                        file_name=path.name, via="command",
                                        dry_run=options["dry_run"])
        except AppError as exc:
            for problem in exc.problems:
                self.stderr.write(f"第 {problem.row} 行 [{problem.field}] {problem.message} "
                                  f"({problem.code})")
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        for line in result.report:
            self.stdout.write(f"第 {line['row']} 行 {line['proj_no'] or '-'}: "
                              f"{line['outcome']} {line['message']} ({line['code']})")
        counts = result.as_dict()
        mode = "试运行（未写入）" if result.dry_run else f"已导入（第 {result.batch_id} 批）"
        self.stdout.write(f"{mode}: {result.rows} 行，新增 {counts['created']}，"
                          f"重复 {counts['duplicate']}，办件不存在 {counts['unknown']}，"
                          f"无效 {counts['invalid']}")
