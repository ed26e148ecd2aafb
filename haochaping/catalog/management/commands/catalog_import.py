"""``haochaping import <entity> <file> [--dry-run] [--user NAME]`` (docs/import-format.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haochaping.catalog.importing.columns import ENTITY_COLUMNS
from haochaping.catalog.importing.service import catalog_import
from haochaping.catalog.management.commands._catalog_actor import command_actor
from haochaping.core.errors import AppError, FieldProblem


class Command(BaseCommand):
    help = "Import regions, orgs, halls, windows, staff or matters from XLSX/CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("entity", choices=sorted(ENTITY_COLUMNS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true",
                            help="validate and report every bad row; write nothing")
        parser.add_argument("--user", help="act as this user (role and org subtree)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            result = catalog_import(actor=command_actor(options["user"]),
                                    entity=options["entity"], data=path.read_bytes(),
                                    filename=path.name, dry_run=options["dry_run"])
        except AppError as exc:
            self._problems(exc.problems)
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        self._problems(result.problems)
        mode = "试运行（未写入）" if result.dry_run else "已导入"
        self.stdout.write(f"{mode}: {result.rows} 行，新增 {result.created}，"
                          f"更新 {result.updated}，未变 {result.unchanged}")
        if result.problems:
            raise CommandError(f"{len(result.problems)} 处错误")

    def _problems(self, problems: list[FieldProblem]) -> None:
        for problem in problems:
            self.stderr.write(f"第 {problem.row} 行 [{problem.field}] {problem.message} "
                              f"({problem.code})")
