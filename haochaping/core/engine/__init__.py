"""The task engine: django-tasks (the backport of Django 6's ``django.tasks`` API) on its
database backend (django-tasks-db), with the bookkeeping that backend lacks (ADR 0005).

Declare a task with :func:`task` in an app's ``tasks.py``; enqueue it with
:func:`enqueue` inside the writing transaction: the task row commits with the write or
not at all. ``haochaping worker`` runs them (``engine.worker``).
"""

from haochaping.core.engine.registry import TaskOptions, enqueue, options_for, task

__all__ = ["TaskOptions", "enqueue", "options_for", "task"]
