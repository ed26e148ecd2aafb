"""Statistics at scale: rollup rebuild, figures from rollups, raw-table comparison, lag.

PostgreSQL only (issue 5 "Fast at scale"). Creates its own database ``hcp_bench10m``,
generates N raw ratings with SQL (``INSERT … SELECT generate_series``: one completed
handling and one rating each, over 13 months, 3,000 orgs with a skewed load), then
measures:

- the full rollup rebuild (``stats.rollup.rebuild``);
- one month's figures across all orgs, server-side (``stats.selectors.figures``, median);
- a year of org × month end to end through ``GET /api/v1/stats/figures`` under gunicorn
  with an API key of scope ``stats:read`` (median of sequential requests);
- the raw-table equivalent (satisfaction by org and month over raw evaluations);
- the rollup lag under a sustained insert load (one thread inserting ratings at a fixed
  rate, another running ``rollup_tick`` every few seconds).

    .venv/bin/python bench/run.py --only stats --size quick   # 200k ratings
    .venv/bin/python bench/bench_stats.py large               # 10M ratings
    HCP_BENCH_STATS_ROWS=2000000 .venv/bin/python bench/bench_stats.py large
    HCP_BENCH_KEEP_DB=1 …                                        # keep hcp_bench10m
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_submit import _manage, fresh_db  # noqa: E402
from bench.guards import Guard  # noqa: E402
from bench.httpload import gunicorn  # noqa: E402
from bench.stats_data import GENERATE, ORGS, generate, seed_catalog  # noqa: E402,F401

DB = "hcp_bench10m"
PG = os.environ.get("HCP_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
ROWS = {"quick": 200_000, "large": 10_000_000}
LAG_RATE, LAG_SECONDS, TICK_EVERY = 500, 30, 5.0
PAGE_RUNS = 20
ROOT = Path(__file__).resolve().parent.parent

# Issue 5's read and lag targets, all met at 10 M (docs/performance.md). The reads are
# guarded at the quick size too: 200,000 ratings must answer at least as fast as 10 M.
ISSUE5 = "issue 5 target"
GUARDS = [
    Guard("month across orgs, selector", "<=", 20, "ms", ISSUE5),
    Guard("year org x month, HTTP end to end", "<=", 150, "ms", ISSUE5),
    Guard("supervisor dashboard page, p95", "<=", 200, "ms", ISSUE5),
    Guard("monthly ranking API, p95", "<=", 200, "ms", ISSUE5),
    Guard("rollup lag at 500 ratings/s, max ({n} ticks)", "<=", 60_000, "ms", ISSUE5),
    Guard("rollup minus raw valid ratings after load", "==", 0, "ratings",
          "issue 5: roll-ups equal the raw rows"),
]

# One completed handling and its rating per row. Orgs are picked with a skew (power 2:
# a few big halls take most ratings); levels 80/12/4/2.5/1.5 %, 5 % default ratings,
# 0.3 % invalidated. Foreign-key triggers are skipped (session_replication_role) since
# every id is valid by construction.
RAW_QUERY = """
SELECT org_id, date_trunc('month', created_at AT TIME ZONE 'Asia/Shanghai') AS month,
       count(*) FILTER (WHERE level >= 3) AS satisfied, count(*) AS rated
FROM evaluations_evaluation
WHERE is_current AND invalidated_at IS NULL AND NOT is_default
  AND created_at >= %s AND created_at < %s
GROUP BY 1, 2
"""


def _emit(name: str, value: float, unit: str) -> None:
    print(f"FIG\t{name}\t{value}\t{unit}", flush=True)
    # also as it comes, so a long run that fails later still shows what it measured
    print(f"{name:<48} {value:>12.1f} {unit}", file=sys.stderr, flush=True)


def _median_ms(fn: Any, runs: int) -> float:
    times = []
    for _ in range(runs):
        begin = time.perf_counter()
        fn()
        times.append((time.perf_counter() - begin) * 1000)
    return statistics.median(times)


def _month_before(today: date) -> tuple[date, date]:
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def measure_http(url: str, key: str, first: date, last: date) -> float:
    env = {"DJANGO_SETTINGS_MODULE": "haochaping.settings", "DATABASE_URL": url,
           "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1", "HCP_AXES_ENABLED": "false"}
    path = (f"/api/v1/stats/figures?group_by=org,period&period=month&start={first}"
            f"&end={last}&compare_previous=false&layout=columns"
            "&fields=level_5,level_4,level_3,level_2,level_1,satisfaction_rate")
    with gunicorn("haochaping.wsgi", env, workers=2) as base:
        request = urllib.request.Request(base + path, headers={"X-Api-Key": key})

        def get() -> None:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                assert response.status == 200
                response.read()

        get()  # warm the worker
        return _median_ms(get, 7)


def _p95(times: list[float]) -> float:
    return sorted(times)[max(0, round(len(times) * 0.95) - 1)]


def measure_pages(url: str, key: str, session: str, day: date) -> dict[str, float]:
    """p95 (ms) over PAGE_RUNS sequential requests each, through gunicorn: the
    supervisor dashboard as a logged-in supervisor (default filters: six months), and
    the monthly department ranking over the API; once as served between two rollup
    runs (stats.cache), once with the rollups changed before every request."""
    env = {"DJANGO_SETTINGS_MODULE": "haochaping.settings", "DATABASE_URL": url,
           "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1", "HCP_AXES_ENABLED": "false"}
    targets = {
        "supervisor dashboard page, p95": ("/work/stats/", {"Cookie": f"sessionid={session}"}),
        "monthly ranking API, p95": (f"/api/v1/stats/ranking/rankings?period=month&day={day}",
                                     {"X-Api-Key": key}),
    }
    found = {}
    with gunicorn("haochaping.wsgi", env, workers=2) as base, psycopg.connect(
            url, autocommit=True) as conn:
        for name, (path, headers) in targets.items():
            request = urllib.request.Request(base + path, headers=headers)
            for cold in (False, True):
                times = []
                for i in range(PAGE_RUNS + 1):
                    if cold:  # as after each run of the rollup job: stats.cache misses
                        conn.execute("UPDATE stats_rollupstate SET last_run_at = now()")
                    begin = time.perf_counter()
                    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                        assert response.status == 200
                        assert response.url.endswith(path), response.url  # not a login page
                        response.read()
                    if i:  # the first request warms the worker
                        times.append((time.perf_counter() - begin) * 1000)
                found[f"{name}{', every request after a rollup change' if cold else ''}"] = (
                    _p95(times))
    return found


def supervisor_session(ids: dict[str, Any]) -> str:
    """A session of a supervisor of the city office (as after a login)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from haochaping.catalog.models import Org
    from tests import factories as f

    user = f.make_user("bench_supervisor", role="supervisor", org=Org.objects.get(pk=ids["city"]))
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return str(store.session_key)


def measure_lag(url: str, now_fn: Any, ids: dict[str, Any]) -> tuple[float, int]:
    """Insert LAG_RATE ratings/s for LAG_SECONDS in one thread while rollup_tick runs
    every TICK_EVERY s in another. A batch is visible once a tick that started after its
    commit has finished; returns the worst such delay (ms) and the ticks run."""
    from django.db import connection

    from haochaping.stats.rollup import rollup_tick

    commits: list[float] = []
    ticks: list[tuple[float, float]] = []
    stop = threading.Event()
    batch = LAG_RATE // 10
    insert = GENERATE.replace("%(t0)s::timestamptz + random() * %(span)s * interval '1 second'",
                              "now()").replace("random() * interval '2 days'", "interval '0'")

    def writer() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            n, end = 50_000_000, time.monotonic() + LAG_SECONDS
            while time.monotonic() < end:
                due = time.monotonic() + 0.1
                conn.execute(insert, {**ids, "g0": n, "g1": n + batch})
                commits.append(time.monotonic())
                n += batch
                time.sleep(max(0.0, due - time.monotonic()))
        stop.set()

    def ticker() -> None:
        while True:
            begin = time.monotonic()
            rollup_tick(now_fn())
            ticks.append((begin, time.monotonic()))
            # Stop once a tick that started after the last commit has finished, so every
            # batch has a visibility time even when one tick outlasts the load.
            if stop.is_set() and commits and begin > commits[-1]:
                break
            time.sleep(max(0.0, TICK_EVERY - (time.monotonic() - begin)))
        connection.close()

    threads = [threading.Thread(target=writer), threading.Thread(target=ticker)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lags = [min(end for begin, end in ticks if begin > c) - c for c in commits
            if any(begin > c for begin, _ in ticks)]
    return max(lags) * 1000, len(ticks)


def inner(size: str) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from haochaping.accounts.scoping import system_actor
    from haochaping.evaluations.models import Evaluation
    from haochaping.stats import rollup, rules, selectors
    from haochaping.stats.models import EvaluationRollup, HandlingRollup, RollupState

    url = os.environ["DATABASE_URL"]
    rows = int(os.environ.get("HCP_BENCH_STATS_ROWS", ROWS[size]))
    now = timezone.now()
    ids = seed_catalog()
    begin = time.perf_counter()
    generate(url, ids, rows, now)
    _emit(f"generate {rows} ratings (+ handlings)", time.perf_counter() - begin, "s")

    span = rollup.raw_day_span()
    assert span is not None
    begin = time.perf_counter()
    rollup.rebuild_all()
    _emit("full rollup rebuild", time.perf_counter() - begin, "s")
    RollupState.objects.update_or_create(name=rollup.STATE, defaults={"watermark": now})
    with connection.cursor() as cursor:
        for model in (EvaluationRollup, HandlingRollup, *rollup.COARSE):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
        cursor.execute("ANALYZE")  # the catalog too, as autovacuum would in production
    for model in (EvaluationRollup, *rollup.COARSE):
        _emit(f"{model._meta.db_table} rows", model._default_manager.count(), "rows")

    actor = system_actor("bench")
    first, last = _month_before(rules.local_day(now))
    for previous in (False, True):
        ms = _median_ms(lambda p=previous: selectors.figures(
            actor, group_by=("org",), period=rules.Period.MONTH, start=first, end=last,
            compare_previous=p), 9)
        _emit(f"month across orgs, selector{' + previous' if previous else ''}", ms, "ms")
    year_first = (first - timedelta(days=330)).replace(day=1)
    ms = _median_ms(lambda: selectors.figures(
        actor, group_by=("org", "period"), period=rules.Period.MONTH, start=year_first,
        end=last, compare_previous=False), 5)
    _emit("year org x month, selector", ms, "ms")
    _emit("year org x month, HTTP end to end", measure_http(url, ids["key"], year_first, last),
          "ms")

    for name, ms in measure_pages(url, ids["key"], supervisor_session(ids), first).items():
        _emit(name, ms, "ms")

    start, _ = rules.day_bounds(year_first)
    _, stop = rules.day_bounds(last)
    with psycopg.connect(url) as conn:
        _emit("raw-table satisfaction by org x month, year",
              _median_ms(lambda: conn.execute(RAW_QUERY, (start, stop)).fetchall(), 3), "ms")
        month_start, _ = rules.day_bounds(first)
        _emit("raw-table satisfaction by org, one month",
              _median_ms(lambda: conn.execute(RAW_QUERY, (month_start, stop)).fetchall(), 3),
              "ms")

    lag_ms, ticks = measure_lag(url, timezone.now, ids)
    _emit(f"rollup lag at {LAG_RATE} ratings/s, max ({ticks} ticks)", lag_ms, "ms")
    counted = sum(r.counts.real_ratings + r.counts.default_ratings for r in selectors.figures(
        actor, group_by=(), period=rules.Period.YEAR, start=span[0],
        end=rules.local_day(timezone.now()), compare_previous=False))
    raw = Evaluation.objects.filter(rollup.VALID_CURRENT).count()
    _emit("rollup minus raw valid ratings after load", counted - raw, "ratings")


def run(size: str) -> list[tuple[str, float, str]]:
    url = fresh_db(DB)
    try:
        _manage("haochaping.settings", url, "migrate", "-v0")
        out = subprocess.run(
            [sys.executable, __file__, "--inner", size], cwd=ROOT, check=True, text=True,
            stdout=subprocess.PIPE,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "haochaping.settings",
                 "DATABASE_URL": url, "HCP_AXES_ENABLED": "false"}).stdout
    finally:
        if os.environ.get("HCP_BENCH_KEEP_DB") != "1":  # keep it to study plans afterwards
            with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    figures = []
    for line in out.splitlines():
        if line.startswith("FIG\t"):
            _, name, value, unit = line.split("\t")
            figures.append((name, float(value), unit))
    return figures


if __name__ == "__main__":
    if sys.argv[1:2] == ["--inner"]:
        inner(sys.argv[2])
    else:
        from bench.run import main

        raise SystemExit(main(["--only", "stats", "--size", (sys.argv[1:] or ["quick"])[0]]))
