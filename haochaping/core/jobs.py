"""Every periodic job, declared in one place (STYLE.md §8).

A job names a task (``app.tasks:<function>`` declared with ``core.engine.task``) that the
scheduler enqueues once per period across the cluster (``core.engine.schedule``) with the
period's moment as its one argument (ISO 8601). Sweeps fan out into chunk tasks that any
number of workers run in parallel; jobs that must not overlap declare a lock.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    name: str
    task: str  # dotted path of a django-tasks Task: "haochaping.app.tasks.name"
    every_seconds: int


JOBS: tuple[Job, ...] = (
    Job("calendar.coverage", "haochaping.catalog.tasks.calendar_coverage", 6 * 3600),
    Job("evaluations.default_ratings", "haochaping.evaluations.tasks.default_ratings", 300),
    Job("notify.deliver", "haochaping.notify.tasks.deliver_outbox", 5),
    Job("exchange.deliver", "haochaping.exchange.tasks.deliver_outbox", 5),
    Job("exchange.reconcile", "haochaping.exchange.tasks.reconcile", 600),
    Job("notify.sms_invitations", "haochaping.evaluations.tasks.sms_invitations", 60),
    Job("workorders.deadline_warnings", "haochaping.workorders.tasks.deadline_warnings", 300),
    Job("workorders.overdue", "haochaping.workorders.tasks.overdue", 300),
    Job("workorders.repair", "haochaping.workorders.tasks.repair", 600),
    Job("stats.rollup", "haochaping.stats.tasks.rollup", 30),
    Job("stats.rebuild_recent", "haochaping.stats.tasks.repair", 24 * 3600),
    Job("stats.monthly_reports", "haochaping.stats.tasks.monthly_reports", 3600),
    Job("stats.ranking_snapshots", "haochaping.stats.tasks.ranking_snapshots", 3600),
    Job("exchange.inbound_upkeep", "haochaping.exchange.inbound.tasks.inbound_upkeep", 60),
    Job("engine.prune", "haochaping.core.tasks.prune_task_results", 6 * 3600),
    Job("accounts.dormant", "haochaping.accounts.tasks.disable_dormant", 24 * 3600),
    Job("core.idempotency_prune", "haochaping.core.tasks.prune_idempotent_requests", 3600),
    # The anchor interval is the exposure window of a truncated audit tail (docs/audit.md).
    Job("audit.anchor", "haochaping.audit.tasks.anchor", 600),
    # Personal data past its retention period (docs/privacy.md).
    Job("vault.retention_purge", "haochaping.vault.tasks.retention_purge", 24 * 3600),
    # 共性问题: clusters of one cause on a matter or org open a task (docs/supervision.md).
    Job("problems.detect", "haochaping.problems.tasks.detect", 3600),
    # 防刷评 (issue 15): integrity signals over the policy's look-back.
    Job("integrity.scan", "haochaping.integrity.tasks.scan", 3600),
)
