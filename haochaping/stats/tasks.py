"""Worker jobs of the stats app (declared in haochaping.core.jobs)."""

from __future__ import annotations

from datetime import datetime

from haochaping.stats import snapshots
from haochaping.stats.rollup import rebuild_recent, rollup_tick


def rollup(now: datetime) -> str:
    return rollup_tick(now)


def repair(now: datetime) -> str:
    return rebuild_recent(now)


def ranking_snapshots(now: datetime) -> str:
    """Publish the rankings of ended months and quarters (stats.snapshots)."""
    return snapshots.ranking_snapshots(now)
