"""The task engine (core.engine) in the admin (系统管理员 only): every task with its state,
attempts and last error; dead letters (FAILED) retried by an action; workers and periodic jobs."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django_tasks_db.models import DBTaskResult

from haochaping.accounts.readonly_admin import ReadOnlyAdminMixin
from haochaping.core.engine.claim import retry_dead_letters
from haochaping.core.models import PeriodicJobState, WorkerBeat

STATUS_LABELS = {"READY": "排队中", "RUNNING": "运行中", "FAILED": "失败（死信）",
                 "SUCCESSFUL": "已完成"}


if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("task_path", "status_label", "queue_name", "attempts", "enqueued_at",
                    "run_after", "finished_at", "exception_class_path")
    list_filter = ("status", "queue_name")
    search_fields = ("task_path", "exception_class_path")
    ordering = ("-enqueued_at",)
    actions = ("retry",)
    readonly_fields = ("id", "task_path", "status", "queue_name", "priority", "args_kwargs",
                       "enqueued_at", "run_after", "started_at", "finished_at",
                       "worker_ids", "return_value", "exception_class_path",
                       "formatted_traceback")
    exclude = ("traceback",)

    @admin.display(description="状态")
    def status_label(self, obj: DBTaskResult) -> str:
        return STATUS_LABELS.get(obj.status, obj.status)

    @admin.display(description="已尝试次数")
    def attempts(self, obj: DBTaskResult) -> int:
        return len(obj.worker_ids)

    @admin.display(description="最近错误")
    def formatted_traceback(self, obj: DBTaskResult) -> str:
        return format_html("<pre>{}</pre>", obj.traceback) if obj.traceback else "-"

    @admin.action(description="重新排队所选失败任务（死信）")
    def retry(self, request: HttpRequest, queryset: QuerySet[DBTaskResult]) -> None:
        moved = retry_dead_letters(queryset)
        self.message_user(request, f"已重新排队 {moved} 个失败任务", messages.SUCCESS)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Django hides actions from users without change rights; the system admin may
        # requeue dead letters even though nothing else here is editable.
        actions = super().get_actions(request)
        if not self._may_view(request):
            return {}
        func, name, text = self.get_action("retry")  # type: ignore[misc]
        actions[name] = (func, name, text)
        return actions


@admin.register(WorkerBeat)
class WorkerBeatAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("worker_id", "host", "pid", "queues", "started_at", "beat_at")


@admin.register(PeriodicJobState)
class PeriodicJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "next_run_at", "last_enqueued_at")
