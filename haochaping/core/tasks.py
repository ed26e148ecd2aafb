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
