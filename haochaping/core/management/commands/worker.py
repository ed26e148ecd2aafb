from __future__ import annotations

import logging
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from haochaping.core.checks import assert_production_ready
from haochaping.core.engine import rules
from haochaping.core.engine.claim import recover
from haochaping.core.engine.schedule import ensure_rows, tick
from haochaping.core.engine.supervisor import Supervisor
from haochaping.core.engine.worker import Worker, drain
from haochaping.core.gctune import tune_gc
from haochaping.core.jobs import JOBS


class Command(BaseCommand):
    help = ("Run background workers: periodic sweeps, follow-ups of writes, outbox delivery "
            "(stops on SIGTERM after the task in hand). Run it on as many machines as needed.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--processes", type=int, default=1,
                            help="worker processes serving every queue (default 1)")
        parser.add_argument("--urgent-processes", type=int, default=1,
                            help="extra processes serving only the urgent queue (SMS "
                                 "codes, pad wake-ups): never behind a report (default 1)")
        parser.add_argument("--queues", default="*",
                            help="queues this process serves: * or some of "
                                 + ",".join(rules.QUEUES))
        parser.add_argument("--interval", type=float, default=1.0,
                            help="seconds to sleep when no task is due (default 1)")
        parser.add_argument("--idle-sleep", type=float, dest="interval",
                            help=argparse_hidden())
        parser.add_argument("--no-schedule", action="store_true",
                            help="do not enqueue periodic jobs from this process")
        parser.add_argument("--once", action="store_true",
                            help="enqueue due periodic jobs, run every due task, then exit")
        parser.add_argument("--list", action="store_true", help="list the periodic jobs")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for job in JOBS:
                self.stdout.write(f"{job.name:<28} every {job.every_seconds:>6}s  {job.task}")
            return
        try:
            queues = rules.queue_list(options["queues"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["processes"] < 0 or options["urgent_processes"] < 0:
            raise CommandError("--processes and --urgent-processes must not be negative")
        assert_production_ready()
        if options["once"]:
            now = timezone.now()
            ensure_rows(now)
            recovered = recover(now, float(settings.HCP_WORKER_STALL_SECONDS))
            if recovered:
                self.stdout.write(f"requeued {recovered} tasks of lost workers")
            for name in tick(now):
                self.stdout.write(f"enqueued {name}")
            for outcome, count in sorted(drain(queues=queues).items()):
                self.stdout.write(f"{outcome}: {count}")
            return
        logging.getLogger("haochaping.worker").setLevel(logging.INFO)
        total = options["processes"] + options["urgent_processes"]
        if total == 0:
            raise CommandError("nothing to run: --processes 0 --urgent-processes 0")
        if total == 1:
            self._serve(queues if options["processes"] else [rules.URGENT], options)
            return
        common = ["--interval", str(options["interval"]), "--urgent-processes", "0",
                  "--processes", "1"]
        commands = [["worker", "--queues", ",".join(queues), *common]
                    for _ in range(options["processes"])]
        commands += [["worker", "--queues", rules.URGENT, "--no-schedule", *common,
                      "--interval", str(min(options["interval"], 0.25))]
                     for _ in range(options["urgent_processes"])]
        self.stdout.write(f"starting {len(commands)} worker processes")
        sys.exit(Supervisor(commands).run())

    def _serve(self, queues: list[str], options: dict[str, Any]) -> None:
        ensure_rows(timezone.now())
        tune_gc()
        worker = Worker(queues=queues, interval=options["interval"],
                        schedule_jobs=not options["no_schedule"] and queues != [rules.URGENT])
        self.stdout.write(f"worker {worker.worker_id} started; queues {','.join(queues)}; "
                          f"{len(JOBS)} periodic jobs")
        worker.run()
        self.stdout.write(f"worker {worker.worker_id} stopped")


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS
