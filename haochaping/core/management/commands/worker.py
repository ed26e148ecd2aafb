from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from haochaping.core.checks import assert_production_ready
from haochaping.core.gctune import tune_gc
from haochaping.core.jobs import JOBS
from haochaping.core.worker import Worker


class Command(BaseCommand):
    help = "Run the background worker: periodic sweeps and outbox delivery (stops on SIGTERM)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run due jobs once and exit")
        parser.add_argument("--idle-sleep", type=float, default=1.0,
                            help="seconds to sleep when no job is due (default 1)")
        parser.add_argument("--list", action="store_true", help="list the declared jobs")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for job in JOBS:
                self.stdout.write(f"{job.name:<28} every {job.every_seconds}s  {job.func}")
            return
        assert_production_ready()
        worker = Worker(idle_sleep=options["idle_sleep"])
        if options["once"]:
            for name, summary in worker.tick().items():
                self.stdout.write(f"{name}: {summary}")
            return
        tune_gc()
        self.stdout.write(f"worker {worker.who} started; {len(JOBS)} periodic jobs")
        worker.run_forever()
        self.stdout.write("worker stopped")
