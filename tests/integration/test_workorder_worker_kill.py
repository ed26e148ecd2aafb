"""Kill -9 the real worker process in the middle of the escalation sweep (督办), then run
it again: every overdue order ends with exactly one escalation — none lost, none
duplicated — and its overdue mark, events and audit rows agree (issue 4 "Done means").

Reuses the scratch database fixture of test_worker_kill (a scratch SQLite file, or a
scratch PostgreSQL database on the configured server); everything runs out of process.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

from tests.integration.test_worker_kill import (
    ROOT,
    _env,
    kill_worker_mid_sweep,
    run_job_again,
    scratch_db,
)

__all__ = ["scratch_db"]  # the fixture, imported for pytest

COUNT = 600
Query = Callable[[str], list[tuple[Any, ...]]]


def _escalated(query: Query) -> int:
    """Escalated orders, after checking every invariant of a consistent state."""
    assert query("SELECT order_id, COUNT(*) FROM workorders_escalation WHERE kind = "
                 "'overdue' GROUP BY order_id HAVING COUNT(*) > 1") == [], "escalated twice"
    escalated = query("SELECT COUNT(*) FROM workorders_escalation WHERE kind = 'overdue'")[0][0]
    marked = query("SELECT COUNT(*) FROM workorders_workorder WHERE overdue_at IS NOT NULL")
    events = query("SELECT action, COUNT(*) FROM workorders_workorderevent "
                   "WHERE action IN ('overdue', 'escalate') GROUP BY action ORDER BY action")
    audited = query("SELECT COUNT(*) FROM audit_auditevent "
                    "WHERE action = 'workorder.escalate'")[0][0]
    assert marked[0][0] == escalated == audited, "an escalation lost its mark or audit row"
    assert events == ([("escalate", escalated), ("overdue", escalated)] if escalated else [])
    return int(escalated)


def test_worker_killed_mid_escalation_loses_and_duplicates_nothing(scratch_db: Any) -> None:
    url, query = scratch_db
    env = _env(url)
    py = sys.executable
    subprocess.run([py, "tests/integration/seed_overdue_orders.py", str(COUNT)], cwd=ROOT,
                   env=env, check=True)
    assert query("SELECT COUNT(*) FROM workorders_workorder WHERE status = 'dispatched'"
                 ) == [(COUNT,)]
    assert _escalated(query) == 0

    kill_worker_mid_sweep(env, query, "SELECT COUNT(*) FROM workorders_escalation")
    escalated = _escalated(query)
    assert 0 < escalated < COUNT, "the kill must land in the middle of the sweep"

    # The killed worker's lease runs out (as five minutes later); the next run resumes.
    run_job_again(env, query, "workorders.overdue")
    assert _escalated(query) == COUNT
