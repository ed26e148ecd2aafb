"""Kill -9 the real worker process in the middle of the default-rating sweep, then run it
again: every overdue handling ends with exactly one default rating — none lost, none
duplicated (issue 3 "Done means"; seed 000 §11).

Runs against the backend of the current test pass (a scratch SQLite file, or a scratch
PostgreSQL database on the configured server), each a copy of the pass's migrated test
database, entirely out of process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
COUNT = 1500


@pytest.fixture
def scratch_db(db: Any, tmp_path: Path
               ) -> Iterator[tuple[str, Callable[[str], list[tuple[Any, ...]]]]]:
    """A copy of the pass's migrated test database (a SQLite file, or a scratch database
    on the configured PostgreSQL server): (DATABASE_URL, query). A copy takes seconds
    where a ``migrate`` of its own took half a minute per test."""
    # ratingload imports this module's ROOT and _env
    from tests.integration.ratingload import (
        clone_test_database,
        pg_query,
        pg_url,
        sqlite_query,
    )

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        path = tmp_path / "kill.sqlite3"
        clone_test_database(path, tmp_path)
        yield f"sqlite:///{path}", sqlite_query(path)
        return
    cfg = settings.DATABASES["default"]
    name = f"hcp_kill_{uuid.uuid4().hex[:8]}"
    server = dict(host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432,
                  user=cfg["USER"] or None)
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = pg_url(server, name)
    try:
        clone_test_database(url, tmp_path)
        yield url, pg_query(url)
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "HCP_POLICY_PRESET": "zhengdong",
            "DJANGO_SETTINGS_MODULE": "haochaping.settings", "LOG_LEVEL": "ERROR",
            "PYTHONPATH": str(ROOT)}  # seed scripts import tests.factories


def kill_worker_mid_sweep(env: dict[str, str], query: Callable[[str], list[tuple[Any, ...]]],
                          progress_sql: str, at_least: int = 20) -> None:
    """Start the real worker and kill -9 it once ``progress_sql`` counts ``at_least``
    rows of the sweep's work (or after two minutes)."""
    worker = subprocess.Popen([sys.executable, "manage.py", "worker", "--interval", "0.2",
                               "--urgent-processes", "0"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and query(progress_sql)[0][0] < at_least:
        time.sleep(0.02)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)


def run_job_again(env: dict[str, str], query: Callable[[str], list[tuple[Any, ...]]],
                  job: str) -> None:
    """One more worker run of ``job`` once the killed worker counts as dead: its running
    tasks are requeued (task engine recovery), then every due task runs."""
    query("UPDATE core_periodicjobstate SET next_run_at = "
          f"'2000-01-01 00:00:00' WHERE name = '{job}'")
    time.sleep(1.2)  # the killed worker's heartbeat is now older than the stall limit
    subprocess.run([sys.executable, "manage.py", "worker", "--once"], cwd=ROOT,
                   env={**env, "HCP_WORKER_STALL_SECONDS": "1"}, check=True,
                   stdout=subprocess.DEVNULL)


def _invariants(query: Callable[[str], list[tuple[Any, ...]]]) -> tuple[int, int]:
    """(default ratings, handlings claimed): every claimed handling has its rating."""
    per_handling = query("SELECT handling_id, COUNT(*) FROM evaluations_evaluation "
                         "GROUP BY handling_id HAVING COUNT(*) > 1")
    assert per_handling == [], "a handling was rated twice"
    rated = query("SELECT COUNT(*) FROM evaluations_evaluation WHERE is_default")[0][0]
    claimed = query("SELECT COUNT(*) FROM handlings_handling WHERE default_due_at IS NULL")[0][0]
    assert rated == claimed, "a claimed handling lost its default rating"
    return rated, claimed


def test_worker_killed_mid_sweep_loses_and_duplicates_nothing(scratch_db: Any) -> None:
    url, query = scratch_db
    env = _env(url)
    py = sys.executable
    subprocess.run([py, "tests/integration/seed_due_defaults.py", str(COUNT)], cwd=ROOT,
                   env=env, check=True)
    assert query("SELECT COUNT(*) FROM handlings_handling WHERE default_due_at IS NOT NULL"
                 ) == [(COUNT,)]

    kill_worker_mid_sweep(env, query,
                          "SELECT COUNT(*) FROM evaluations_evaluation WHERE is_default")
    rated, _ = _invariants(query)
    assert 0 < rated < COUNT, "the kill must land in the middle of the sweep"

    # The killed worker's lease runs out (as five minutes later); the next run resumes.
    run_job_again(env, query, "evaluations.default_ratings")
    assert _invariants(query) == (COUNT, COUNT)
