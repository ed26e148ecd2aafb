"""Processes of test_rollup_two_workers, each run as ``python rollup_workers.py MODE …``
with DATABASE_URL naming a migrated scratch database:

- ``write SEED STEPS DONE``: a seeded history of the statistics tests' town (ratings,
  superseding, defaults, invalidations, the whole work-order mix, redispatches, the
  business system's corrections) through the real services, committing each write; it
  never runs a roll-up itself. Touches the file DONE when finished.
- ``tick NAME DONE BATCH``: an incremental roll-up worker calling
  ``stats.services.rollup_tick`` (claims of BATCH dirty rows) until DONE exists and a
  tick finds nothing; prints one JSON line: its ticks, buckets and tick intervals.
- ``check``: compares the roll-ups with a recomputation from raw rows (the plain Python
  of test_rollup_equals_raw) and exits 1 with the differences.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haochaping.settings")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


@contextmanager
def _follow_ups(execute: bool = False) -> Iterator[None]:
    """The simulation's capture: the tasks its writes queued (a bad rating's work order)
    run when the block ends, as a task-engine worker runs them after the commit."""
    from haochaping.core.engine.worker import drain

    yield
    if execute:
        drain()


def write(seed: int, steps: int, done: Path) -> None:
    import conftest
    from haochaping.stats.tests import test_rollup_equals_raw as t

    locality = conftest.locality.__wrapped__(None)
    town = t.build_town(locality, conftest.personas.__wrapped__(locality))
    sim = t.Simulation(town, seed, _follow_ups, t.START, orders=True, corrections=True)
    sim.roll = lambda: None  # type: ignore[method-assign]  # the workers roll up
    for _ in range(steps):
        sim.step()
    done.touch()


def tick(name: str, done: Path, batch: int) -> None:
    from django.utils import timezone

    from haochaping.stats.rollup import dirty
    from haochaping.stats.services import rollup_tick

    intervals: list[tuple[float, float]] = []
    buckets = 0
    while True:
        finished = done.exists()
        begin = time.monotonic()
        result = rollup_tick(timezone.now(), batch=batch)
        intervals.append((begin, time.monotonic()))
        if result.startswith("recomputed"):
            buckets += int(result.split()[1])
        if finished and result == "recomputed 0 buckets" and dirty.pending() == 0:
            break
        time.sleep(0.01)
    print(json.dumps({"name": name, "ticks": len(intervals), "buckets": buckets,  # noqa: T201
                      "intervals": intervals}), flush=True)


def check() -> int:
    from haochaping.stats.tests import test_rollup_equals_raw as t

    expected = t.raw()
    stored = t.snapshot()
    problems: list[Any] = []
    for name, want, got in zip(("evaluations", "handlings", "orders"), expected, stored,
                               strict=True):
        for key in want.keys() | got.keys():
            if +want.get(key, t.Counter()) != +got.get(key, t.Counter()):
                problems.append((name, str(key), dict(want.get(key, {})),
                                 dict(got.get(key, {}))))
    if t.coarse_stored() != t.coarse_of(expected):
        problems.append(("coarse", "differ", {}, {}))
    rows = sum(len(table) for table in expected)
    print(json.dumps({"raw_rows": rows, "problems": problems[:20]}, default=str))  # noqa: T201
    return 1 if problems or rows == 0 else 0


def main() -> int:
    import django

    django.setup()
    mode, *args = sys.argv[1:]
    if mode == "write":
        write(int(args[0]), int(args[1]), Path(args[2]))
    elif mode == "tick":
        tick(args[0], Path(args[1]), int(args[2]))
    else:
        return check()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
