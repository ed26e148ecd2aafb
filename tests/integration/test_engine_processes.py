"""The task engine with real worker processes: a locked task never runs twice at once
across workers, however long it takes; SIGTERM lets a worker finish the task in hand;
urgent work is served by its own process while a long report runs (issue 12)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from typing import Any

from tests.integration.test_worker_kill import ROOT, _env, scratch_db

__all__ = ["scratch_db"]  # the fixture, imported for pytest

ENQUEUE = """
from haochaping.core.engine import enqueue
from haochaping.core.tests import engine_tasks as t
for _ in range({locked}):
    enqueue(t.exclusive_sleep, {seconds})
"""
RESULTS = ("SELECT status, return_value FROM django_tasks_database_dbtaskresult "
           "WHERE task_path LIKE '%exclusive_sleep' ORDER BY started_at")


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def _workers(env: dict[str, str], count: int) -> list[subprocess.Popen[bytes]]:
    return [subprocess.Popen([sys.executable, "manage.py", "worker", "--processes", "1",
                              "--urgent-processes", "0", "--interval", "0.1",
                              "--no-schedule"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
            for _ in range(count)]


def _wait(condition: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _value(raw: Any) -> Any:
    return json.loads(raw) if isinstance(raw, str) else raw


def test_a_locked_task_never_overlaps_and_sigterm_finishes_the_task_in_hand(
        scratch_db: Any) -> None:
    url, query = scratch_db
    env = _env(url)
    _manage(env, "shell", "-c", ENQUEUE.format(locked=3, seconds=1.0))
    workers = _workers(env, 2)
    try:
        # Both workers are up and one of them runs the first locked task.
        _wait(lambda: query("SELECT COUNT(*) FROM core_workerbeat")[0][0] == 2, 60,
              "two workers")
        _wait(lambda: query("SELECT COUNT(*) FROM django_tasks_database_dbtaskresult "
                            "WHERE status = 'RUNNING'")[0][0] == 1, 60, "a running task")
        assert query("SELECT COUNT(*) FROM core_taskrun WHERE lock_key = 'tests.exclusive'"
                     ) == [(1,)]
        # SIGTERM to both: each finishes what it holds, then leaves.
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        assert [worker.wait(timeout=60) for worker in workers] == [0, 0]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    done = [(status, _value(value)) for status, value in query(RESULTS)]
    finished = [value for status, value in done if status == "SUCCESSFUL"]
    assert len(finished) >= 1, "the task in hand was not finished"
    assert {status for status, _ in done} <= {"SUCCESSFUL", "READY"}
    assert query("SELECT COUNT(*) FROM core_taskrun") == [(0,)]
    assert query("SELECT COUNT(*) FROM core_workerbeat") == [(0,)]

    # The rest run later, still one at a time, on two fresh workers.
    workers = _workers(env, 2)
    try:
        _wait(lambda: query("SELECT COUNT(*) FROM django_tasks_database_dbtaskresult "
                            "WHERE status = 'SUCCESSFUL'")[0][0] == 3, 90, "all three")
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
    spans = sorted(_value(value) for _, value in query(RESULTS))
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert start >= end, f"two runs of a locked task overlapped: {spans}"
