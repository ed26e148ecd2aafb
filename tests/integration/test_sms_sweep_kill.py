"""Kill -9 the real worker process in the middle of the SMS invitation sweep, then run it
again: every due handling ends with exactly one invitation and one queued SMS — none
lost, none duplicated (issue 3 "Done means"; seed 003 §9(三)).

Reuses the scratch database fixture of test_worker_kill; everything runs out of process.
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

COUNT = 1200
Query = Callable[[str], list[tuple[Any, ...]]]


def _invited(query: Query) -> int:
    """Invited handlings, after checking that claims, invitations and SMS agree."""
    assert query("SELECT handling_id, COUNT(*) FROM evaluations_invitation WHERE channel = "
                 "'sms' GROUP BY handling_id HAVING COUNT(*) > 1") == [], "invited twice"
    invitations = query("SELECT COUNT(*) FROM evaluations_invitation "
                        "WHERE channel = 'sms'")[0][0]
    messages = query("SELECT COUNT(*) FROM notify_outboxmessage "
                     "WHERE template = 'evaluation_invite'")[0][0]
    claimed = query("SELECT COUNT(*) FROM handlings_handling "
                    "WHERE invite_due_at IS NULL")[0][0]
    assert invitations == messages, "an invitation lost its SMS, or an SMS its invitation"
    assert claimed == invitations, "a claimed handling was never invited"
    return int(invitations)


def test_worker_killed_mid_sms_sweep_loses_and_duplicates_nothing(scratch_db: Any) -> None:
    url, query = scratch_db
    env = {**_env(url), "HCP_POLICY_PRESET": "haiyang"}
    py = sys.executable
    subprocess.run([py, "tests/integration/seed_due_invites.py", str(COUNT)], cwd=ROOT,
                   env=env, check=True)
    assert query("SELECT COUNT(*) FROM handlings_handling WHERE invite_due_at IS NOT NULL"
                 ) == [(COUNT,)]

    kill_worker_mid_sweep(env, query, "SELECT COUNT(*) FROM evaluations_invitation")
    assert 0 < _invited(query) < COUNT, "the kill must land in the middle of the sweep"

    # A run invites at most 500; later runs resume where the dead worker stopped.
    for _ in range(COUNT // 500 + 2):
        run_job_again(env, query, "notify.sms_invitations")
        if _invited(query) == COUNT:
            break
    assert _invited(query) == COUNT
