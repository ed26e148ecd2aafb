"""Tasks of 防刷评 (issue 15): the periodic scan (``core.jobs``: ``integrity.scan``)."""

from __future__ import annotations

from datetime import datetime

from haochaping.core.engine import rules, task


@task(queue=rules.REPORTS, lock="integrity.scan")
def scan(now: str) -> str:
    """Run every signal over the look-back and flag new (rating, signal) pairs; locked,
    so two workers never scan at once (the unique flag would hold anyway)."""
    from haochaping.integrity.services import scan as run

    counts = run(now=datetime.fromisoformat(now))
    return ", ".join(f"{s.value} {n}" for s, n in counts.items())
