"""Tasks of the stats app (periodic entries in haochaping.core.jobs)."""

from __future__ import annotations

from datetime import datetime

from haochaping.core.engine import enqueue, rules, task


@task(queue=rules.REPORTS)
def rollup(now: str) -> str:
    """Recompute the buckets the writes marked dirty. Safe on any number of workers at
    once (each claims its own dirty rows), so no lock."""
    from haochaping.stats.services import rollup_tick

    return rollup_tick(datetime.fromisoformat(now))


@task(queue=rules.REPORTS, lock="stats.rebuild_recent")
def repair(now: str) -> str:
    """Rebuild the recent days from raw rows (the nightly safety net)."""
    from haochaping.stats.services import rebuild_recent

    return rebuild_recent(datetime.fromisoformat(now))


@task(queue=rules.REPORTS, lock="stats.rebuild")
def rebuild_months() -> str:
    """The full rebuild as independent per-month tasks that workers share (newest month
    first): ``haochaping stats rebuild --tasks``."""
    from haochaping.stats.services import rebuild_plan

    plan = rebuild_plan()
    queued = sum(enqueue(rebuild_month, year, month, key=f"stats.rebuild_month:{year}-{month}")
                 is not None for year, month in plan)
    return f"{queued} of {len(plan)} months queued"


@task(queue=rules.REPORTS, lock=lambda year, month: f"stats.rebuild_month:{year}-{month}")
def rebuild_month(year: int, month: int) -> str:
    from haochaping.stats.services import rebuild_month as rebuild

    return f"{year}-{month:02d}: {rebuild(year, month)} days"


@task(queue=rules.REPORTS, lock="stats.monthly_reports")
def monthly_reports(now: str) -> str:
    from haochaping.stats.reports import monthly_reports as generate

    return generate(datetime.fromisoformat(now))


@task(queue=rules.REPORTS, lock="stats.ranking_snapshots")
def ranking_snapshots(now: str) -> str:
    """Publish the rankings of ended months and quarters (stats.snapshots)."""
    from haochaping.stats import snapshots

    return snapshots.ranking_snapshots(datetime.fromisoformat(now))
