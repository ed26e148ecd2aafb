"""``haochaping export <entity> [--format xlsx|csv] [--output FILE] [--user NAME]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haochaping.catalog.importing.columns import ENTITY_COLUMNS
from haochaping.catalog.importing.export import FORMATS, catalog_export
from haochaping.catalog.management.commands._catalog_actor import command_actor
from haochaping.core.errors import AppError


class Command(BaseCommand):
    help = "Export the catalog in the import format (re-imports unchanged)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("entity", choices=sorted(ENTITY_COLUMNS))
        parser.add_argument("--format", choices=sorted(FORMATS), default="xlsx")
        parser.add_argument("--output", type=Path,
                            help="file to write (default: <entity>.<format>)")
        parser.add_argument("--user", help="export only what this user may see")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            exported = catalog_export(actor=command_actor(options["user"]),
                                      entity=options["entity"], fmt=options["format"])
        except AppError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        target: Path = options["output"] or Path(exported.filename)
        target.write_bytes(exported.content)
        self.stdout.write(f"已导出到 {target}")
