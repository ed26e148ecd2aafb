"""The task engine across worker processes (issue 12): outbox drain and default-rating
sweep with 1 and 2 worker processes, against a fake SMS gateway answering in 50 ms.

Each run starts from a copy of one seeded PostgreSQL database (CREATE DATABASE ...
TEMPLATE), starts ``manage.py worker --processes N``, waits for the workers' heartbeats,
then makes the periodic job due and times until every row is done. The gateway counts
each ``message_id`` it receives, so lost or repeated sends show in the figures.

    .venv/bin/python bench/run.py --only tasks [--size large]
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from bench.guards import Guard, large_only

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("HCP_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
SIZES = {"quick": (2_000, 4_000), "large": (20_000, 100_000)}  # (outbox, handlings)
GATEWAY_SECONDS = 0.05
SECRET = "bench-gateway-secret"  # noqa: S105 - a local fake gateway's secret
ISSUE12 = "issue 12: 2 workers ≥ 1.7× as fast as 1"
GUARDS = [
    *large_only("the ratio is set for 20,000 SMS and 100,000 handlings; a quick run is "
                "dominated by worker start-up",
                Guard("outbox drain, {n} SMS, 2 workers vs 1", ">=", 1.7, "x", ISSUE12),
                Guard("default-rating sweep, {n} handlings, 2 workers vs 1", ">=", 1.7, "x",
                      ISSUE12)),
    Guard("outbox drain, {n} SMS, ids lost or repeated at the gateway", "==", 0, "ids",
          "issue 12: nothing lost or duplicated"),
    Guard("default-rating sweep, {n} handlings, rated twice", "==", 0, "handlings",
          "issue 12: nothing duplicated"),
]


class Gateway:
    """The fake SMS gateway (bench/fake_gateway.py) in its own process on 127.0.0.1: it
    answers every send after 50 ms and counts the message ids it received."""

    def __init__(self) -> None:
        port_file = Path(tempfile.mkdtemp()) / "port"
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "fake_gateway.py"),
                                      str(port_file), str(GATEWAY_SECONDS)])
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("the fake gateway did not start")
            time.sleep(0.05)
        self.base = f"http://127.0.0.1:{port_file.read_text()}"
        self.url = f"{self.base}/sms"

    def seen(self) -> Counter[str]:
        with urllib.request.urlopen(f"{self.base}/seen", timeout=30) as answer:  # noqa: S310
            return Counter(json.loads(answer.read()))

    def reset(self) -> None:
        urllib.request.urlopen(f"{self.base}/reset", timeout=30).close()  # noqa: S310

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def _admin(sql: str) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql.encode())


def _query(name: str, sql: str) -> Any:
    with psycopg.connect(f"{PG}/{name}", autocommit=True) as conn:
        cursor = conn.execute(sql.encode())
        return cursor.fetchone()[0] if cursor.description else None


def _env(name: str, gateway: Gateway) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": f"{PG}/{name}", "DEBUG": "false",
            "DJANGO_SETTINGS_MODULE": "haochaping.settings", "HCP_POLICY_PRESET": "zhengdong",
            "HCP_SMS_BACKEND": "http", "HCP_SMS_GATEWAY_URL": gateway.url,
            "HCP_SMS_GATEWAY_SECRET": SECRET, "PYTHONPATH": str(ROOT)}


def seed_template(name: str, kind: str, count: int, gateway: Gateway) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    env = _env(name, gateway)
    py = sys.executable
    subprocess.run([py, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([py, "bench/seed_tasks.py", kind, str(count)], cwd=ROOT, env=env, check=True)


@contextmanager
def workers(name: str, processes: int, gateway: Gateway) -> Iterator[None]:
    proc = subprocess.Popen([sys.executable, "manage.py", "worker", "--processes",
                             str(processes), "--urgent-processes", "0", "--interval", "0.2"],
                            cwd=ROOT, env=_env(name, gateway), stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while _query(name, "SELECT COUNT(*) FROM core_workerbeat") < processes:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("workers did not start")
            time.sleep(0.1)
        yield
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=120)


def timed_run(template: str, job: str, done_sql: str, count: int, processes: int,
              gateway: Gateway) -> tuple[float, int]:
    """Seconds for ``processes`` workers to finish ``job`` over ``count`` rows, and the
    handlings rated more than once (0 when nothing was duplicated)."""
    name = f"{template}_run"
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        # Only the measured job is due; every other periodic job waits.
        _query(name, "INSERT INTO core_periodicjobstate (name, next_run_at) SELECT j, "
                     "now() + interval '1 day' FROM unnest(ARRAY['calendar.coverage',"
                     "'evaluations.default_ratings','notify.deliver','notify.sms_invitations',"
                     "'workorders.deadline_warnings','workorders.overdue','workorders.repair',"
                     "'stats.rollup','stats.rebuild_recent','stats.monthly_reports',"
                     "'stats.ranking_snapshots','engine.prune']) AS j "
                     "ON CONFLICT (name) DO NOTHING")
        with workers(name, processes, gateway):
            start = time.perf_counter()
            _query(name, f"UPDATE core_periodicjobstate SET next_run_at = now() "
                         f"WHERE name = '{job}'")
            deadline = time.monotonic() + 3600
            while _query(name, done_sql) < count:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{job} did not finish within an hour")
                time.sleep(0.1)
            elapsed = time.perf_counter() - start
        twice = _query(name, "SELECT COUNT(*) FROM (SELECT handling_id FROM "
                             "evaluations_evaluation GROUP BY handling_id "
                             "HAVING COUNT(*) > 1) AS t")
        return elapsed, twice
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(size: str) -> list[tuple[str, float, str]]:
    messages, handlings = SIZES[size]
    gateway = Gateway()
    figures: list[tuple[str, float, str]] = []
    try:
        for kind, job, count, done_sql, label in (
                ("outbox", "notify.deliver", messages,
                 "SELECT COUNT(*) FROM notify_outboxmessage WHERE status = 'sent'",
                 f"outbox drain, {messages} SMS"),
                ("defaults", "evaluations.default_ratings", handlings,
                 "SELECT COUNT(*) FROM evaluations_evaluation WHERE is_default",
                 f"default-rating sweep, {handlings} handlings")):
            template = f"hcp_bench_tasks_{kind}"
            seed_template(template, kind, count, gateway)
            seconds = {}
            wrong = 0
            for processes in (1, 2):
                gateway.reset()
                seconds[processes], twice = timed_run(template, job, done_sql, count,
                                                      processes, gateway)
                figures.append((f"{label}, {processes} worker(s)", seconds[processes], "s"))
                if kind == "outbox":
                    seen = gateway.seen()
                    repeats = sum(n - 1 for n in seen.values() if n > 1)
                    wrong += abs(count - len(seen)) + repeats
                else:
                    wrong += twice
            figures.append((f"{label}, 2 workers vs 1", seconds[1] / seconds[2], "x"))
            figures.append((f"{label}, ids lost or repeated at the gateway"
                            if kind == "outbox" else f"{label}, rated twice", wrong,
                            "ids" if kind == "outbox" else "handlings"))
            _admin(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
    finally:
        gateway.close()
    return figures
