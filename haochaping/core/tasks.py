"""Tasks of the core app: upkeep of the task engine itself."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from haochaping.core.engine import rules, task


@task(queue=rules.REPORTS, lock="engine.prune")
def prune_task_results(now: str) -> str:
    """Delete successful task results older than ``HCP_TASK_RESULT_DAYS`` (dead letters
    stay until an operator retries or deletes them)."""
    cutoff = datetime.fromisoformat(now) - timedelta(days=settings.HCP_TASK_RESULT_DAYS)
    deleted, _ = DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL,
                                             finished_at__lt=cutoff).delete()
    return f"pruned {deleted}"


@task(queue=rules.REPORTS, lock="core.idempotency_prune")
def prune_idempotent_requests(now: str) -> str:
    """Delete the remembered answers of API POSTs (``Idempotency-Key``) whose replay
    window (``HCP_IDEMPOTENCY_HOURS``) has passed: they hold whole response bodies, which
    may carry personal data, and nothing replays them any more."""
    from haochaping.core.models import IdempotentRequest

    deleted, _ = IdempotentRequest.objects.filter(
        expires_at__lte=datetime.fromisoformat(now)).delete()
    return f"pruned {deleted}"
