"""Two roll-up workers tick at the same time while the town's history is written; the
roll-ups then equal a recomputation from raw rows (issue 12 "Derived data stays right
with many workers").

Everything runs out of process against a scratch database of the pass's backend (the
fixture of test_worker_kill): one writer process commits a seeded history through the
real services (ratings and superseding, default ratings, invalidations, every work-order
step, redispatches, the business system's corrections to another department and day)
and never rolls up; two worker processes call ``stats.services.rollup_tick`` in a loop,
claiming small batches so their ticks interleave, until the writer is done and nothing
is dirty. A third process compares the roll-ups with the plain recomputation of
test_rollup_equals_raw: nothing lost, nothing counted twice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.integration.test_worker_kill import ROOT, scratch_db

__all__ = ["scratch_db"]  # the fixture, imported for pytest

SCRIPT = "tests/integration/rollup_workers.py"
STEPS = 300
BATCH = 3  # dirty rows per claim: the two workers claim many times and interleave


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "haochaping.settings",
            "LOG_LEVEL": "ERROR", "PYTHONPATH": str(ROOT)}


def test_two_workers_ticking_during_writes_keep_rollups_equal_to_raw(
        scratch_db: Any, tmp_path: Path) -> None:
    url, query = scratch_db
    env, py, done = _env(url), sys.executable, tmp_path / "written"
    workers = [subprocess.Popen([py, SCRIPT, "tick", name, str(done), str(BATCH)], cwd=ROOT,
                                env=env, stdout=subprocess.PIPE, text=True)
               for name in ("w1", "w2")]
    subprocess.run([py, SCRIPT, "write", "5", str(STEPS), str(done)], cwd=ROOT, env=env,
                   check=True, timeout=600)
    reports = []
    for worker in workers:
        out, _ = worker.communicate(timeout=300)
        assert worker.returncode == 0
        reports.append(json.loads(out.strip().splitlines()[-1]))

    # both workers recomputed buckets, and some of their ticks ran at the same time
    assert all(r["buckets"] > 0 for r in reports), reports
    first, second = ([tuple(i) for i in r["intervals"]] for r in reports)
    assert any(a0 < b1 and b0 < a1 for a0, a1 in first for b0, b1 in second)
    assert query("SELECT COUNT(*) FROM stats_dirtybucket") == [(0,)]
    # the writes reached every kind of roll-up row
    for table in ("stats_evaluationrollup", "stats_handlingrollup", "stats_workorderrollup"):
        assert query(f"SELECT COUNT(*) FROM {table}")[0][0] > 0  # noqa: S608

    checked = subprocess.run([py, SCRIPT, "check"], cwd=ROOT, env=env, text=True,
                             stdout=subprocess.PIPE)
    assert checked.returncode == 0, checked.stdout
