"""Periodic jobs, enqueued once per period across the whole cluster.

Every worker's loop calls :func:`tick`; for each due job it moves ``next_run_at`` on by
compare-and-swap and, in the same transaction, enqueues the job's task under the
de-duplication key ``periodic:<name>``. So however many workers run, a period enqueues
one task, and a job whose last run still waits in the queue is not queued again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils.module_loading import import_string

from haochaping.core.engine.registry import enqueue
from haochaping.core.jobs import JOBS, Job
from haochaping.core.models import PeriodicJobState


def ensure_rows(now: datetime, jobs: tuple[Job, ...] = JOBS) -> None:
    existing = set(PeriodicJobState.objects.values_list("name", flat=True))
    PeriodicJobState.objects.bulk_create(
        [PeriodicJobState(name=j.name, next_run_at=now) for j in jobs if j.name not in existing],
        ignore_conflicts=True)


def tick(now: datetime, jobs: tuple[Job, ...] = JOBS) -> list[str]:
    """Enqueue the due jobs this worker won; returns their names."""
    by_name = {j.name: j for j in jobs}
    due = PeriodicJobState.objects.filter(next_run_at__lte=now, name__in=by_name)
    won = []
    for name, next_run_at in due.values_list("name", "next_run_at"):
        job = by_name[name]
        with transaction.atomic():
            if not PeriodicJobState.objects.filter(name=name, next_run_at=next_run_at).update(
                    next_run_at=now + timedelta(seconds=job.every_seconds),
                    last_enqueued_at=now):
                continue  # another worker enqueued this period
            enqueue(import_string(job.task), now.isoformat(), key=f"periodic:{name}")
        won.append(name)
    return won
