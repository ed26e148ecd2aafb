"""django-tasks-db's app, named in Chinese for the admin (the UI speaks zh-Hans)."""

from __future__ import annotations

from django_tasks_db.apps import TasksAppConfig


class TaskEngineDbConfig(TasksAppConfig):
    verbose_name = "后台任务"

    def ready(self) -> None:
        super().ready()
        from django_tasks_db.models import DBTaskResult

        DBTaskResult._meta.verbose_name = "后台任务结果"
        DBTaskResult._meta.verbose_name_plural = "后台任务结果"
