"""Every periodic job, declared in one place (STYLE.md §8).

A job is a function taking ``now`` and returning a short summary; it must be idempotent
(safe to re-run after a crash) because a killed worker's lease simply expires and the job
runs again. Later capabilities (invitation and default-rating sweeps, deadline warnings,
escalation, outbox delivery, roll-ups) add their entries here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    name: str
    func: str  # dotted path "module:function"
    every_seconds: int
    lease_seconds: int = 300


JOBS: tuple[Job, ...] = (
    Job("calendar.coverage", "haochaping.core.tasks:calendar_coverage", every_seconds=6 * 3600),
    Job("evaluations.default_ratings", "haochaping.evaluations.tasks:default_ratings", 300),
    Job("notify.deliver", "haochaping.notify.tasks:deliver_outbox", 5, lease_seconds=600),
    Job("notify.sms_invitations", "haochaping.evaluations.tasks:sms_invitations", 60),
    Job("workorders.deadline_warnings", "haochaping.workorders.tasks:deadline_warnings", 300),
    Job("workorders.overdue", "haochaping.workorders.tasks:overdue", 300),
    Job("workorders.repair", "haochaping.workorders.tasks:repair", 600),
    Job("stats.rollup", "haochaping.stats.tasks:rollup", 30),
    Job("stats.rebuild_recent", "haochaping.stats.tasks:repair", 24 * 3600, lease_seconds=1800),
    Job("stats.monthly_reports", "haochaping.stats.reports:monthly_reports", 3600,
        lease_seconds=1800),
    Job("stats.ranking_snapshots", "haochaping.stats.tasks:ranking_snapshots", 3600,
        lease_seconds=1800),
)
