"""The worker process: schedule periodic jobs, recover lost tasks, claim and run tasks.

One loop per process, one task at a time; ``haochaping worker --processes N`` starts N
such processes (``engine.supervisor``). A heartbeat thread keeps the process's
``WorkerBeat`` fresh while a task runs, however long: only a silent worker's tasks are
requeued. SIGTERM/SIGINT finish the task in hand, then the process leaves.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks.base import TaskContext
from django_tasks.signals import task_finished, task_started
from django_tasks_db.models import DBTaskResult

from haochaping.core.engine import claim, schedule
from haochaping.core.engine import rules as engine_rules
from haochaping.core.jobs import JOBS, Job

logger = logging.getLogger("haochaping.worker")


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


ResultHook = Callable[[DBTaskResult, Any], None]


def run_one(row: DBTaskResult, now: datetime | None = None,
            on_result: ResultHook | None = None) -> str:
    """Run a claimed task and record the outcome: "ok", "retry" or "dead"."""
    task = row.task
    result = row.task_result
    backend = type(task.get_backend())
    task_started.send(sender=backend, task_result=result)
    try:
        if task.takes_context:
            value = task.call(TaskContext(task_result=result), *result.args, **result.kwargs)
        else:
            value = task.call(*result.args, **result.kwargs)
    except Exception as exc:  # a poison task is retried, then dead-lettered, never looped
        close_old_connections_if_broken()
        outcome = claim.finish_failure(row, exc, now or timezone.now())
        log = logger.error if outcome == "dead" else logger.warning
        log("task %s (%s) failed, %s: %r", row.task_path, row.id, outcome, exc)
        return outcome
    claim.finish_success(row, value)
    task_finished.send(sender=backend, task_result=row.task_result)
    if on_result is not None:
        on_result(row, value)
    return "ok"


def close_old_connections_if_broken() -> None:
    if connection.connection is not None and not connection.is_usable():
        connection.close()


class Worker:
    def __init__(self, *, queues: list[str] | None = None, interval: float = 1.0,
                 schedule_jobs: bool = True, worker_id: str | None = None) -> None:
        self.queues = queues or list(engine_rules.QUEUES)
        self.interval = interval
        self.schedule_jobs = schedule_jobs
        self.worker_id = worker_id or new_worker_id()
        self.stopping = False
        self.stall_seconds = float(settings.HCP_WORKER_STALL_SECONDS)
        self._last_schedule = 0.0
        self._beating = threading.Event()

    def stop(self, *_: Any) -> None:
        self.stopping = True

    # --- one step --------------------------------------------------------------------
    def housekeeping(self, now: datetime) -> list[str]:
        """Enqueue due periodic jobs and requeue tasks of dead workers (at most once a
        second per process)."""
        if time.monotonic() - self._last_schedule < 1.0:
            return []
        self._last_schedule = time.monotonic()
        claim.recover(now, self.stall_seconds)
        return schedule.tick(now) if self.schedule_jobs else []

    def step(self, now: datetime | None = None,
             on_result: ResultHook | None = None) -> str | None:
        """Claim and run one task; its outcome, or None when nothing was due."""
        now = now or timezone.now()
        row = claim.claim_next(self.worker_id, self.queues, now)
        if row is None:
            return None
        return run_one(row, now, on_result)

    # --- the process ---------------------------------------------------------------
    def _heartbeat(self) -> None:
        try:
            while not self._beating.wait(engine_rules.HEARTBEAT_SECONDS):
                try:
                    claim.beat(self.worker_id, timezone.now())
                except Exception:  # a missed beat is retried; never kill the worker
                    logger.exception("heartbeat failed")
                    close_old_connections_if_broken()
        finally:
            connection.close()

    def run(self, *, max_tasks: int | None = None, until_idle: bool = False) -> int:
        """Serve the queues until stopped; returns the number of tasks run."""
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        claim.beat(self.worker_id, timezone.now(), host=socket.gethostname(),
                   pid=os.getpid(), queues=",".join(self.queues))
        beater = threading.Thread(target=self._heartbeat, name="heartbeat", daemon=True)
        beater.start()
        ran = 0
        try:
            while not self.stopping and (max_tasks is None or ran < max_tasks):
                close_old_connections()
                self.housekeeping(timezone.now())
                if self.step() is not None:
                    ran += 1
                    continue
                if until_idle:
                    break
                time.sleep(self.interval)
        finally:
            self._beating.set()
            beater.join(timeout=10)
            claim.leave(self.worker_id)
        return ran


def drain(*, queues: list[str] | None = None, now: datetime | None = None,
          limit: int = 10_000, on_result: ResultHook | None = None) -> dict[str, int]:
    """Run every due task in this process until none is left (tests, ``--once``):
    {outcome: count}. Runs in the caller's thread and connection, so inside a test's
    transaction too."""
    worker = Worker(queues=queues, schedule_jobs=False, worker_id=f"drain:{new_worker_id()}")
    claim.beat(worker.worker_id, now or timezone.now(), pid=os.getpid())
    counts: dict[str, int] = {}
    for _ in range(limit):
        outcome = worker.step(now, on_result)
        if outcome is None:
            break
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def run_due(now: datetime, jobs: tuple[Job, ...] = JOBS) -> dict[str, str]:
    """Enqueue the due periodic jobs and run every due task in this process (``worker
    --once``, tests): {job name: its task's summary} for the jobs that ran."""
    schedule.ensure_rows(now, jobs)
    names = set(schedule.tick(now, jobs))
    by_path = {job.task: job.name for job in jobs if job.name in names}
    summaries: dict[str, str] = {}

    def keep(row: DBTaskResult, value: Any) -> None:
        if row.task_path in by_path:
            summaries[by_path[row.task_path]] = str(value)

    drain(now=now, on_result=keep)
    return summaries
