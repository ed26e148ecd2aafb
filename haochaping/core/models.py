"""Worker bookkeeping shared by every app's periodic jobs."""

from __future__ import annotations

from django.db import models


class PeriodicJobState(models.Model):
    """One row per declared periodic job (haochaping.core.jobs.JOBS).

    A worker claims a due job with a conditional UPDATE on ``next_run_at``/``locked_until``;
    "0 rows updated" means another worker has it, so several workers never run one job
    twice at once, on SQLite as on PostgreSQL.
    """

    name = models.CharField("任务", max_length=64, unique=True)
    next_run_at = models.DateTimeField("下次运行")
    locked_by = models.CharField("执行者", max_length=64, blank=True)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    last_started_at = models.DateTimeField("上次开始", null=True, blank=True)
    last_finished_at = models.DateTimeField("上次完成", null=True, blank=True)
    last_error = models.TextField("上次错误", blank=True)
    failures = models.PositiveIntegerField("连续失败次数", default=0)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
