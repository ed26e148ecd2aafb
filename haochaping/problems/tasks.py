"""Tasks of the problems app (periodic entry ``problems.detect`` in haochaping.core.jobs)."""

from __future__ import annotations

from datetime import datetime

from haochaping.core.engine import rules, task


@task(queue=rules.REPORTS, lock="problems.detect")
def detect(now: str) -> str:
    """Open a common-problem task for every new cluster (problems.rules.detect). One run
    at a time; a second one would find the same clusters and skip them anyway."""
    from haochaping.problems.services import detect_run

    opened = detect_run(datetime.fromisoformat(now))
    return f"{len(opened)} common-problem tasks opened"
