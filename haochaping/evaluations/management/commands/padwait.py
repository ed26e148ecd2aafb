from __future__ import annotations

import asyncio
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from haochaping.core.checks import assert_production_ready
from haochaping.evaluations.padwait import HOLD_SECONDS, REFRESH_SECONDS, serve


class Command(BaseCommand):
    help = ("Run the pad wait service: idle evaluator pads long-poll GET /pad/wait "
            "(route it there from the reverse proxy; stops on SIGTERM).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="bind address")
        parser.add_argument("--port", type=int, default=8001, help="port (default 8001)")
        parser.add_argument("--hold", type=float, default=HOLD_SECONDS,
                            help=f"seconds a poll is held (default {HOLD_SECONDS:g})")
        parser.add_argument("--refresh", type=float, default=REFRESH_SECONDS,
                            help=f"seconds between version reads (default {REFRESH_SECONDS:g})")

    def handle(self, *args: Any, **options: Any) -> None:
        assert_production_ready()

        def started(port: int) -> None:
            self.stdout.write(f"padwait listening on {options['host']}:{port}")
            self.stdout.flush()

        asyncio.run(serve(options["host"], options["port"], hold=options["hold"],
                          refresh=options["refresh"], on_started=started))
        self.stdout.write("padwait stopped")
