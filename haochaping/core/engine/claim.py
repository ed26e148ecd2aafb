"""Claiming, finishing and recovering tasks: the rows that make a queue safe to share.

- **Claim**: in one transaction, take the best ready task of the worker's queues
  (priority, then due time; ``SKIP LOCKED`` on PostgreSQL so workers never queue on each
  other's candidates, SQLite's IMMEDIATE transaction serialises instead), write its
  ``TaskRun`` (whose unique ``lock_key`` refuses a second run of a locked task), mark it
  RUNNING and drop its de-duplication key.
- **Finish**: success, retry later with back-off (the attempt number is the number of
  claims, django-tasks-db's ``worker_ids``), or a dead letter (FAILED) once the attempts
  are spent; the ``TaskRun`` goes in the same statement group.
- **Recover**: a task whose worker stopped beating is put back (or dead-lettered), fenced
  on the ``TaskRun`` row so two recovering workers cannot both requeue it.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from traceback import format_exception

from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from haochaping.core.engine import rules
from haochaping.core.engine.registry import options_for
from haochaping.core.models import TaskKey, TaskRun, WorkerBeat

logger = logging.getLogger("haochaping.worker")

LOOKAHEAD = 20
LOST_WORKER = "haochaping.core.engine.WorkerLost"


def ready(queues: list[str], now: datetime) -> QuerySet[DBTaskResult]:
    """Due tasks of ``queues``, best first (the backend's partial index on READY)."""
    return (DBTaskResult.objects.filter(status=TaskResultStatus.READY, queue_name__in=queues)
            .filter(Q(run_after__lte=now) | Q(run_after=get_date_max()))
            .order_by("-priority", "run_after", "enqueued_at"))


def claim_next(worker_id: str, queues: list[str], now: datetime) -> DBTaskResult | None:
    """The task this worker runs next (already RUNNING), or None when nothing is due."""
    with transaction.atomic():
        candidates = ready(queues, now)
        if connection.vendor == "postgresql":
            candidates = candidates.select_for_update(skip_locked=True)
        for row in candidates[:LOOKAHEAD]:
            payload = row.args_kwargs
            lock = options_for(row.task_path).lock_key(payload["args"], payload["kwargs"])
            try:
                with transaction.atomic():
                    TaskRun.objects.create(task_id=row.id, worker_id=worker_id,
                                           lock_key=lock, started_at=now)
            except IntegrityError:
                # Its lock is held by a running task: look again a little later.
                DBTaskResult.objects.filter(pk=row.pk).update(
                    run_after=now + timedelta(seconds=rules.LOCK_DEFER_SECONDS))
                continue
            row.claim(worker_id)
            TaskKey.objects.filter(task_id=row.id).delete()
            return row
    return None


def finish_success(row: DBTaskResult, value: object) -> None:
    with transaction.atomic():
        row.set_successful(value)
        TaskRun.objects.filter(task_id=row.id).delete()


def finish_failure(row: DBTaskResult, exc: BaseException, now: datetime) -> str:
    """Retry with back-off or dead-letter; returns "retry" or "dead"."""
    opts = options_for(row.task_path)
    attempt = len(row.worker_ids)
    with transaction.atomic():
        TaskRun.objects.filter(task_id=row.id).delete()
        if rules.should_retry(attempt, opts.max_attempts):
            delay = rules.retry_delay(attempt, opts.backoff, random.random())  # noqa: S311
            DBTaskResult.objects.filter(pk=row.pk).update(
                status=TaskResultStatus.READY, run_after=now + timedelta(seconds=delay),
                exception_class_path=f"{type(exc).__module__}.{type(exc).__qualname__}",
                traceback="".join(format_exception(exc))[-8000:])
            return "retry"
        row.set_failed(exc)
        return "dead"


def beat(worker_id: str, now: datetime, *, host: str = "", pid: int = 0,
         queues: str = "") -> None:
    if not WorkerBeat.objects.filter(pk=worker_id).update(beat_at=now):
        WorkerBeat.objects.create(worker_id=worker_id, host=host[:128], pid=pid,
                                  queues=queues[:200], started_at=now, beat_at=now)


def leave(worker_id: str) -> None:
    WorkerBeat.objects.filter(pk=worker_id).delete()


class WorkerLost(Exception):  # noqa: N818 - the name an operator reads in the admin
    """The worker running this task stopped (killed, machine lost) before it finished."""


def recover(now: datetime, stall_seconds: float = rules.STALL_SECONDS) -> int:
    """Requeue the tasks of workers silent for ``stall_seconds``; returns how many."""
    alive = WorkerBeat.objects.filter(
        beat_at__gte=now - timedelta(seconds=stall_seconds)).values("worker_id")
    orphans = list(TaskRun.objects.exclude(worker_id__in=alive).values_list(
        "task_id", "worker_id")[:500])
    recovered = 0
    for task_id, worker_id in orphans:
        with transaction.atomic():
            if not TaskRun.objects.filter(task_id=task_id, worker_id=worker_id).delete()[0]:
                continue  # another worker recovered it
            row = DBTaskResult.objects.filter(pk=task_id,
                                              status=TaskResultStatus.RUNNING).first()
            if row is None:
                continue
            opts = options_for(row.task_path)
            if rules.should_retry(len(row.worker_ids), opts.max_attempts):
                DBTaskResult.objects.filter(pk=task_id).update(
                    status=TaskResultStatus.READY, run_after=now,
                    exception_class_path=LOST_WORKER,
                    traceback=f"worker {worker_id} stopped beating; requeued")
            else:
                row.set_failed(WorkerLost(f"worker {worker_id} stopped beating"))
            recovered += 1
            logger.warning("task %s of lost worker %s recovered", task_id, worker_id)
    WorkerBeat.objects.filter(beat_at__lt=now - timedelta(seconds=10 * stall_seconds)).delete()
    return recovered


def retry_dead_letters(queryset: QuerySet[DBTaskResult]) -> int:
    """Put failed tasks (dead letters) back in their queue with a fresh attempt budget;
    returns how many. Only FAILED rows move (a compare-and-swap on the status)."""
    return queryset.filter(status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY, run_after=timezone.now(), worker_ids=[],
        finished_at=None, started_at=None)
