"""Tasks of the stats app (periodic entries in haochaping.core.jobs). Each must never run
twice at once: a lock per job."""

from __future__ import annotations

from datetime import datetime

from haochaping.core.engine import rules, task


@task(queue=rules.REPORTS, lock="stats.rollup")
def rollup(now: str) -> str:
    from haochaping.stats.rollup import rollup_tick

    return rollup_tick(datetime.fromisoformat(now))


@task(queue=rules.REPORTS, lock="stats.rollup")
def repair(now: str) -> str:
    """Rebuild the recent days from raw rows (shares the roll-up's lock)."""
    from haochaping.stats.rollup import rebuild_recent

    return rebuild_recent(datetime.fromisoformat(now))


@task(queue=rules.REPORTS, lock="stats.monthly_reports")
def monthly_reports(now: str) -> str:
    from haochaping.stats.reports import monthly_reports as generate

    return generate(datetime.fromisoformat(now))


@task(queue=rules.REPORTS, lock="stats.ranking_snapshots")
def ranking_snapshots(now: str) -> str:
    """Publish the rankings of ended months and quarters (stats.snapshots)."""
    from haochaping.stats import snapshots

    return snapshots.ranking_snapshots(datetime.fromisoformat(now))
