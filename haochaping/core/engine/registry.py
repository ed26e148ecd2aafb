"""Declaring and enqueueing tasks.

A task is a django-tasks ``Task`` plus :class:`TaskOptions` kept here by module path:
its retry budget, its back-off, and the lock that keeps two runs of it apart. Enqueueing
writes a ``DBTaskResult`` row on the caller's connection, so it is part of the caller's
transaction (STYLE.md §8: "enqueued in the transaction that causes it").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string
from django_tasks import task as django_task
from django_tasks.base import Task

from haochaping.core.engine import rules
from haochaping.core.models import TaskKey

T = TypeVar("T")
LockSpec = str | Callable[..., str | None] | None


@dataclass(frozen=True)
class TaskOptions:
    max_attempts: int = 5
    backoff: rules.Backoff = rules.Backoff()
    # A fixed lock name, or a function of the task's arguments giving one (or None for no
    # lock): two tasks with the same lock never run at the same time, however long.
    lock: LockSpec = None

    def lock_key(self, args: list[Any], kwargs: dict[str, Any]) -> str | None:
        if self.lock is None or isinstance(self.lock, str):
            return self.lock
        return self.lock(*args, **kwargs)


_OPTIONS: dict[str, TaskOptions] = {}
DEFAULT_OPTIONS = TaskOptions()


def task(*, queue: str = rules.DEFAULT, max_attempts: int = 5,
         backoff: rules.Backoff | None = None, lock: LockSpec = None,
         ) -> Callable[[Callable[..., T]], Task[Any, T]]:
    """Declare a task on ``queue`` (its priority follows the queue, engine.rules)."""
    if queue not in rules.QUEUE_PRIORITY:
        raise ValueError(f"unknown queue {queue!r}")
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")

    def wrap(func: Callable[..., T]) -> Task[Any, T]:
        declared: Task[Any, T] = django_task(
            queue_name=queue, priority=rules.QUEUE_PRIORITY[queue])(func)
        _OPTIONS[declared.module_path] = TaskOptions(
            max_attempts=max_attempts, backoff=backoff or rules.Backoff(), lock=lock)
        return declared

    return wrap


def options_for(task_path: str) -> TaskOptions:
    """The options a task was declared with. A worker may claim a task before anything in
    its process imported the task's module (whose decorator registers the options):
    import it first, or a locked task would run unlocked."""
    if task_path not in _OPTIONS:
        try:
            import_string(task_path)
        except ImportError:
            return DEFAULT_OPTIONS  # a task whose code is gone fails when it runs
    return _OPTIONS.get(task_path, DEFAULT_OPTIONS)


def enqueue(declared: Task[Any, Any], *args: Any, key: str | None = None,
            run_after: datetime | None = None, **kwargs: Any) -> str | None:
    """Queue ``declared(*args, **kwargs)`` in the current transaction; the task id, or
    None when ``key`` already names a waiting task (that one will do the work)."""
    if run_after is not None:
        declared = declared.using(run_after=run_after)
    if key is None:
        return str(declared.enqueue(*args, **kwargs).id)
    if TaskKey.objects.filter(key=key).exists():
        return None
    try:
        with transaction.atomic():
            TaskKey.objects.create(key=key, task_id="00000000-0000-0000-0000-000000000000")
            result = declared.enqueue(*args, **kwargs)
            TaskKey.objects.filter(key=key).update(task_id=result.id)
    except IntegrityError:  # a concurrent writer queued it first
        return None
    return str(result.id)
