"""Upward delivery to the fake remote on loopback (issue 13 "Speed"). Standalone, not in
``make bench``: at the default size it runs for tens of minutes.

PostgreSQL. The fake remote (``haochaping exchange fake-remote``, national profile,
``--keys-only``) is its own process; the workers are ``manage.py worker --processes N``
running the periodic job ``exchange.deliver`` and its delivery slots, as in production.
Figures:

- **remote ceiling**: the fake remote alone, signed batches of 100 sample ratings from 4
  client threads: what loopback and the remote's own checks allow (no database);
- **backlog**: a day of ratings (HCP_BENCH_BACKLOG, default 1,000,000) committed while the
  remote was down (its breaker open, the probe due), then the remote back: seconds until
  every outbox row is acknowledged, with 1 worker process and with 2 (copies of one
  database), records/s (batches of 100), and the ratio;
- **lag**: 2 workers while ratings are committed at HCP_BENCH_RATE/s (500) for
  HCP_BENCH_LAG_SECONDS (300): p50, p99 and max of commit → acknowledgement
  (``acked_at - created_at`` of each outbox row);
- **exactness**, every run: rows not acknowledged, keys the remote holds minus rows (lost or
  extra), keys it stored twice (always 0: it de-duplicates; receipts beyond the first are
  at-least-once re-sends, printed for information).

Targets (issue 13): ≥ 2,000 records/s; p99 ≤ 60 s at 500 ratings/s; 1 M backlog ≤ 15 min,
2 workers faster than 1.

    .venv/bin/python bench/exchange_upward.py                       # full size (quiet machine)
    HCP_BENCH_BACKLOG=2000 HCP_BENCH_RATE=20 HCP_BENCH_LAG_SECONDS=10 \\
        .venv/bin/python bench/exchange_upward.py                   # smoke run
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.exchange_data import DAY_SQL, LIVE_SQL  # noqa: E402
from haochaping.exchange.fakeremote.demokeys import demo_environ  # noqa: E402
from haochaping.exchange.fakeremote.process import FakeRemoteProcess  # noqa: E402

PG = os.environ.get("HCP_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
BACKLOG = int(os.environ.get("HCP_BENCH_BACKLOG", "1000000"))
RATE = int(os.environ.get("HCP_BENCH_RATE", "500"))
LAG_SECONDS = int(os.environ.get("HCP_BENCH_LAG_SECONDS", "300"))
CEILING_BATCHES = int(os.environ.get("HCP_BENCH_CEILING_BATCHES", "400"))
BASE, BACKLOG_DB, RUN_DB = "hcp_bench_exchange", "hcp_bench_exchange_backlog", \
    "hcp_bench_exchange_run"
CHUNK = 100_000
ACKED = "SELECT count(*) FROM exchange_outboxrecord WHERE status = 'acked'"


def emit(name: str, value: float, unit: str) -> None:
    print(f"{name:<96} {value:>12.1f} {unit}", flush=True)


# --- the remote alone ---------------------------------------------------------------------


def remote_ceiling(remote: FakeRemoteProcess, batches: int, threads: int = 4) -> float:
    """Records/s the fake remote accepts: signed national batches of 100 ratings."""
    from haochaping.exchange.fakeremote.demokeys import demo_ring
    from haochaping.exchange.kit_http import send_signed
    from haochaping.exchange.rules.canonical import Kind
    from haochaping.exchange.rules.codec import encode_batch
    from haochaping.exchange.rules.profiles import shipped_profile
    from haochaping.exchange.samples import sample_records

    profile, keys = shipped_profile("national"), demo_ring("ours")
    at = datetime.now(UTC)
    work = [sample_records(profile, Kind.RATING, 100, at=at, start=1 + i * 100)
            for i in range(batches)]
    requests = [encode_batch(profile, Kind.RATING, items, keys=keys, now=datetime.now(UTC),
                             nonce=f"ceiling-{i:08d}") for i, items in enumerate(work)]
    failures: list[int] = []

    def send(part: list[Any]) -> None:
        failures.extend(a.status for r in part
                        if (a := send_signed(remote.url, r, 30)).status != 200)

    begin = time.perf_counter()
    pool = [threading.Thread(target=send, args=(requests[i::threads],)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - begin
    if failures:
        raise RuntimeError(f"the fake remote refused {len(failures)} batches: {failures[:5]}")
    return batches * 100 / elapsed


# --- databases and workers ----------------------------------------------------------------


def admin(sql: str) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql.encode())


def query(name: str, sql: str, params: dict[str, Any] | None = None) -> Any:
    with psycopg.connect(f"{PG}/{name}", autocommit=True) as conn:
        cursor = conn.execute(sql.encode(), params)
        return cursor.fetchone()[0] if cursor.description else None


def env(name: str) -> dict[str, str]:
    return {**os.environ, **demo_environ(), "DATABASE_URL": f"{PG}/{name}", "DEBUG": "false",
            "DJANGO_SETTINGS_MODULE": "haochaping.settings", "PYTHONPATH": str(ROOT),
            "HCP_AXES_ENABLED": "false", "LOG_LEVEL": "ERROR"}


def copy_db(template: str, name: str) -> None:
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def seed_base(remote: FakeRemoteProcess) -> dict[str, Any]:
    admin(f'DROP DATABASE IF EXISTS "{BASE}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{BASE}"')
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env(BASE),
                   check=True)
    out = subprocess.run([sys.executable, "bench/exchange_data.py", "seed", remote.url],
                         cwd=ROOT, env=env(BASE), check=True, text=True,
                         stdout=subprocess.PIPE).stdout
    ids: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    # Only the delivery job runs during a measurement: every other periodic job waits.
    query(BASE, "INSERT INTO core_periodicjobstate (name, next_run_at) "
                "SELECT j, now() + interval '1 day' FROM unnest(%(jobs)s::text[]) AS j "
                "ON CONFLICT (name) DO UPDATE SET next_run_at = EXCLUDED.next_run_at",
          {"jobs": [job for job in _job_names() if job != "exchange.deliver"]})
    return ids


def _job_names() -> list[str]:
    from haochaping.core.jobs import JOBS

    return [job.name for job in JOBS]


def write_ratings(name: str, ids: dict[str, Any], sql: str, first: int, count: int) -> None:
    with psycopg.connect(f"{PG}/{name}", autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")
        for g0 in range(first, first + count, CHUNK):
            conn.execute(sql.encode(), {**ids, "g0": g0, "g1": min(g0 + CHUNK, first + count)})
        conn.execute("VACUUM ANALYZE exchange_outboxrecord")


@contextmanager
def workers(name: str, processes: int) -> Iterator[None]:
    proc = subprocess.Popen([sys.executable, "manage.py", "worker", "--processes",
                             str(processes), "--urgent-processes", "0", "--interval", "0.2"],
                            cwd=ROOT, env=env(name), stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while query(name, "SELECT count(*) FROM core_workerbeat") < processes:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("workers did not start")
            time.sleep(0.1)
        yield
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=300)


def wait_acked(name: str, count: int, limit: float) -> float:
    begin = time.perf_counter()
    while query(name, ACKED) < count:
        if time.perf_counter() - begin > limit:
            raise RuntimeError(f"not every record was acknowledged within {limit:.0f} s")
        time.sleep(0.2)
    return time.perf_counter() - begin


def exactness(label: str, name: str, remote: FakeRemoteProcess, rows: int) -> None:
    held = remote.summary()["kinds"]["rating"]
    emit(f"{label}: rows not acknowledged", rows - query(name, ACKED), "rows")
    emit(f"{label}: keys at the remote minus rows (lost < 0 < extra)", held["records"] - rows,
         "keys")
    emit(f"{label}: receipts beyond the first (re-sends, de-duplicated)",
         held["receipts"] - held["records"], "receipts")


# --- the measurements ---------------------------------------------------------------------


def backlog(remote: FakeRemoteProcess, ids: dict[str, Any]) -> None:
    copy_db(BASE, BACKLOG_DB)
    write_ratings(BACKLOG_DB, ids, DAY_SQL, 0, BACKLOG)
    # The remote was down all day: its breaker is open and one probe is due.
    query(BACKLOG_DB, "INSERT INTO exchange_remotebreaker (remote_id, state, failures, "
                      "opened_at, updated_at) VALUES (%(r)s, 'open', 5, now() - interval "
                      "'1 day', now())", {"r": ids["remote"]})
    seconds = {}
    for processes in (1, 2):
        copy_db(BACKLOG_DB, RUN_DB)
        remote.reset()
        with workers(RUN_DB, processes):
            query(RUN_DB, "UPDATE core_periodicjobstate SET next_run_at = now() "
                          "WHERE name = 'exchange.deliver'")
            seconds[processes] = wait_acked(RUN_DB, BACKLOG, 4 * 3600)
        label = f"backlog of {BACKLOG:,} after a day down, {processes} worker(s)"
        emit(f"{label}: drained", seconds[processes], "s")
        emit(f"{label}: records/s", BACKLOG / seconds[processes], "records/s")
        exactness(label, RUN_DB, remote, BACKLOG)
    emit(f"backlog of {BACKLOG:,}: 2 workers vs 1", seconds[1] / seconds[2], "x")
    admin(f'DROP DATABASE IF EXISTS "{BACKLOG_DB}" WITH (FORCE)')


def lag(remote: FakeRemoteProcess, ids: dict[str, Any]) -> None:
    copy_db(BASE, RUN_DB)
    remote.reset()
    batch, sent = max(1, RATE // 10), 0
    with workers(RUN_DB, 2):
        with psycopg.connect(f"{PG}/{RUN_DB}", autocommit=True) as conn:
            end, g = time.monotonic() + LAG_SECONDS, 50_000_000
            while time.monotonic() < end:
                due = time.monotonic() + 0.1
                conn.execute(LIVE_SQL.encode(), {**ids, "g0": g, "g1": g + batch})
                g, sent = g + batch, sent + batch
                time.sleep(max(0.0, due - time.monotonic()))
        wait_acked(RUN_DB, sent, 3600)
    with psycopg.connect(f"{PG}/{RUN_DB}") as conn:
        lags = sorted(row[0] for row in conn.execute(
            "SELECT extract(epoch FROM acked_at - created_at) FROM exchange_outboxrecord"))
    label = f"lag commit to ack at {RATE} ratings/s for {LAG_SECONDS} s, 2 workers"
    emit(f"{label}: ratings committed", sent, "ratings")
    emit(f"{label}: p50", statistics.median(lags), "s")
    emit(f"{label}: p99", lags[min(len(lags) - 1, int(len(lags) * 0.99))], "s")
    emit(f"{label}: max", lags[-1], "s")
    exactness(label, RUN_DB, remote, sent)


def main() -> None:
    with FakeRemoteProcess("national", keys_only=True) as remote:
        emit(f"fake remote alone: {CEILING_BATCHES} batches of 100, 4 threads",
             remote_ceiling(remote, CEILING_BATCHES), "records/s")
        if importlib.util.find_spec("haochaping.exchange.delivery") is None:
            print("NOT MEASURED: the upward delivery (branch exchange-up) is not in this "
                  "checkout; only the fake remote's figures above", flush=True)
            return
        remote.reset()
        ids = seed_base(remote)
        try:
            backlog(remote, ids)
            lag(remote, ids)
        finally:
            for name in (RUN_DB, BACKLOG_DB, BASE):
                admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
