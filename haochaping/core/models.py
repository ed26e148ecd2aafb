"""Bookkeeping of the task engine (ADR 0005): the periodic schedule, waiting-task keys,
running-task claims and worker heartbeats. The tasks themselves are django-tasks-db's
``DBTaskResult`` rows; these tables add what it lacks: cluster-wide periodic scheduling,
de-duplication, "never twice at once" and recovery of a killed worker's tasks."""

from __future__ import annotations

from django.db import models


class PeriodicJobState(models.Model):
    """One row per declared periodic job (haochaping.core.jobs.JOBS).

    Any worker's scheduler enqueues a due job by a conditional UPDATE of ``next_run_at``
    (compare-and-swap on the value it read): "0 rows updated" means another worker
    enqueued this period, so a job is enqueued once per period across the cluster, on
    SQLite as on PostgreSQL. Running it is the task engine's business.
    """

    name = models.CharField("任务", max_length=64, unique=True)
    next_run_at = models.DateTimeField("下次运行")
    last_enqueued_at = models.DateTimeField("上次排队", null=True, blank=True)

    class Meta:
        verbose_name = "定时任务"
        verbose_name_plural = "定时任务"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TaskKey(models.Model):
    """A de-duplication key of a task that waits to run: at most one waiting task per key
    (the primary key refuses a second). Deleted when a worker claims the task, so work
    that arrives while it runs queues one more run."""

    key = models.CharField(max_length=200, primary_key=True)
    task_id = models.UUIDField()

    class Meta:
        verbose_name = "任务排队键"
        verbose_name_plural = "任务排队键"

    def __str__(self) -> str:
        return self.key


class TaskRun(models.Model):
    """A claimed (running) task: which worker runs it and, for tasks that must never run
    twice at once, its lock key (unique: a second task with the same lock stays queued
    until this row goes). Recovery reads it to requeue the tasks of a dead worker."""

    task_id = models.UUIDField(primary_key=True)
    worker_id = models.CharField(max_length=64, db_index=True)
    lock_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    started_at = models.DateTimeField()

    class Meta:
        verbose_name = "运行中任务"
        verbose_name_plural = "运行中任务"

    def __str__(self) -> str:
        return f"{self.task_id}@{self.worker_id}"


class WorkerBeat(models.Model):
    """A live worker process: its heartbeat (``beat_at``) every few seconds. A worker
    silent for longer than the stall limit is dead (kill -9, lost machine)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=128)
    pid = models.PositiveIntegerField()
    queues = models.CharField(max_length=200)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "后台进程"
        verbose_name_plural = "后台进程"
        ordering = ["worker_id"]

    def __str__(self) -> str:
        return self.worker_id


class IdempotentRequest(models.Model):
    """The answer to a POST of the API sent with an ``Idempotency-Key`` by an API client
    (core.idempotency): kept ``HCP_IDEMPOTENCY_HOURS`` so that a retry with the same key
    gets the same status and body instead of doing the work twice (or a 409). Written in
    the transaction of the request's own writes: both are stored, or neither."""

    scope = models.CharField("调用方", max_length=80)  # key:<SHA-256 of the API key>
    key = models.CharField("幂等键", max_length=100)
    fingerprint = models.CharField("请求摘要", max_length=64)  # method, path, body
    status = models.PositiveSmallIntegerField("状态码")
    content_type = models.CharField("内容类型", max_length=100)
    body = models.BinaryField("应答")
    created_at = models.DateTimeField("时间")
    expires_at = models.DateTimeField("过期时间")

    class Meta:
        verbose_name = "幂等请求"
        verbose_name_plural = "幂等请求"
        constraints = [models.UniqueConstraint(fields=["scope", "key"],
                                               name="core_idempotent_scope_key")]

    def __str__(self) -> str:
        return f"{self.scope[:16]} {self.key}"
