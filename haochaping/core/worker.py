"""The worker loop: claim due jobs by conditional update, run them, sleep when idle.

Stops cleanly on SIGTERM/SIGINT after the job in hand. A failing job is recorded with its
error and retried later with back-off; it never stops the loop or other jobs.
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import socket
import time
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import close_old_connections
from django.db.models import Q
from django.utils import timezone

from haochaping.core.jobs import JOBS, Job
from haochaping.core.models import PeriodicJobState

logger = logging.getLogger("haochaping.worker")

MAX_BACKOFF_SECONDS = 3600


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def _resolve(path: str) -> Callable[[datetime], str]:
    module, _, name = path.partition(":")
    func: Callable[[datetime], str] = getattr(importlib.import_module(module), name)
    return func


def ensure_job_rows(now: datetime, jobs: tuple[Job, ...] = JOBS) -> None:
    existing = set(PeriodicJobState.objects.values_list("name", flat=True))
    PeriodicJobState.objects.bulk_create(
        [PeriodicJobState(name=j.name, next_run_at=now) for j in jobs if j.name not in existing],
        ignore_conflicts=True,
    )


def claim(job: Job, now: datetime, who: str) -> bool:
    """True when this worker won the job for one run."""
    updated = PeriodicJobState.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now),
        name=job.name,
        next_run_at__lte=now,
    ).update(locked_by=who, locked_until=now + timedelta(seconds=job.lease_seconds),
             last_started_at=now)
    return updated == 1


def run_job(job: Job, now: datetime, who: str) -> str | None:
    """Claim and run one job if due; returns its summary, or None when not run."""
    if not claim(job, now, who):
        return None
    try:
        summary = _resolve(job.func)(now)
    except Exception as exc:  # a poison job is recorded and deferred, never crash-looped
        state = PeriodicJobState.objects.get(name=job.name)
        failures = state.failures + 1
        delay = min(job.every_seconds * (2 ** min(failures, 10)), MAX_BACKOFF_SECONDS)
        PeriodicJobState.objects.filter(name=job.name, locked_by=who).update(
            locked_by="", locked_until=None, failures=failures,
            last_error=f"{exc!r}\n{traceback.format_exc()}"[:4000],
            next_run_at=timezone.now() + timedelta(seconds=delay),
        )
        logger.error("job %s failed (%s attempts): %r", job.name, failures, exc)
        return None
    PeriodicJobState.objects.filter(name=job.name, locked_by=who).update(
        locked_by="", locked_until=None, failures=0, last_error="",
        last_finished_at=timezone.now(),
        next_run_at=now + timedelta(seconds=job.every_seconds),
    )
    return summary


class Worker:
    def __init__(self, *, idle_sleep: float = 1.0, jobs: tuple[Job, ...] = JOBS) -> None:
        self.idle_sleep = idle_sleep
        self.jobs = jobs
        self.who = worker_id()
        self.stopping = False

    def stop(self, *_: Any) -> None:
        self.stopping = True

    def tick(self, now: datetime | None = None) -> dict[str, str]:
        """Run every due job once; returns {job name: summary} for the jobs it ran."""
        now = now or timezone.now()
        ensure_job_rows(now, self.jobs)
        ran: dict[str, str] = {}
        for job in self.jobs:
            if self.stopping:
                break
            summary = run_job(job, now, self.who)
            if summary is not None:
                ran[job.name] = summary
        return ran

    def run_forever(self, max_ticks: int | None = None) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        ticks = 0
        while not self.stopping and (max_ticks is None or ticks < max_ticks):
            close_old_connections()
            ran = self.tick()
            ticks += 1
            for name, summary in ran.items():
                logger.info("job %s: %s", name, summary)
            if not ran and not self.stopping:
                time.sleep(self.idle_sleep)
