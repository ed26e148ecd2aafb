"""Rating submit over HTTP: the minimal Ninja endpoint vs ours, in the same run.

PostgreSQL, gunicorn sync workers, wrk on loopback (issue 3 "Speed"). Ours runs with every
real feature on: API-key auth, validation against the standard, rater match through the
blind index, supersede logic, audit fields. Prints requests/s and p99 for 32 and 4
connections and the ratio to the minimal endpoint.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.guards import Guard  # noqa: E402
from bench.httpload import gunicorn, wrk  # noqa: E402

PG = os.environ.get("HCP_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
ROOT = Path(__file__).resolve().parent.parent
SECONDS = {"quick": 5, "large": 20}
BODY = '{"proj_no":"B-%d","level":5,"content_codes":["510","517"],"text":"服务热情，一次办结"}'


def fresh_db(name: str) -> str:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG}/{name}"


def _manage(settings: str, url: str, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True,
                   env={**os.environ, "DJANGO_SETTINGS_MODULE": settings, "DATABASE_URL": url})


# What issue 3 reached (targets 60 %, p99 50 ms / 15 ms, not met on 2 cores): the ratio
# measured 24.5–30.7 % at 32 connections and 28.5–46 % at 4 over six quick runs.
ISSUE3 = "issue 3 reached; target 60 % / p99 50 ms at 32, 15 ms at 4"
GUARDS = [
    Guard("rating submit c=32 ratio to minimal", ">=", 25, "%", ISSUE3),
    Guard("rating submit c=4 ratio to minimal", ">=", 45, "%", ISSUE3),
    Guard("rating submit c=32 p99", "<=", 100, "ms", ISSUE3),
    Guard("rating submit c=4 p99", "<=", 25, "ms", ISSUE3),
    Guard("rating submit c={n} non-2xx answers", "==", 0, "responses", "every rating is 201"),
]

WARM_SECONDS = 3  # every worker process has started and loaded its code before measuring


def minimal(size: str, connections: int) -> tuple[float, float]:
    url = fresh_db("hcp_bench_minimal")
    _manage("bench.minimal.settings", url, "migrate", "--run-syncdb", "-v0")
    env = {"DJANGO_SETTINGS_MODULE": "bench.minimal.settings", "DATABASE_URL": url}
    headers = {"Content-Type": "application/json"}
    with gunicorn("bench.minimal.wsgi", env) as base:
        wrk(base, "/api/ratings", BODY, headers, connections=connections,
            seconds=WARM_SECONDS, limit=10_000_000)
        result = wrk(base, "/api/ratings", BODY, headers,
                     connections=connections, seconds=SECONDS[size], limit=10_000_000)
    return result.requests_per_s, result.p99_ms


OURS_BODY = ('{"proj_no":"BS%08d","channel":"app","level":5,"content_codes":["510","517"],'
             '"text":"服务热情，一次办结","rater":{"phone":"139%08d"}}')
# Handlings per load run; each run rates its own range, so every answer is a first rating.
# Each run is preceded by a warm-up on a range of WARM handlings of its own.
HANDLINGS = {"quick": 10_000, "large": 40_000}
WARM = 5_000
RUNS = (32, 4)


def prepare_ours(size: str) -> tuple[str, str]:
    """A migrated database with completed handlings BS00000000… and an API key."""
    url = fresh_db("hcp_bench_ours")
    _manage("haochaping.settings", url, "migrate", "-v0")
    script = (
        "import sys\n"
        "from bench.bench_submit import seed_handlings\n"
        f"print(seed_handlings({(HANDLINGS[size] + WARM) * len(RUNS)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, text=True,
                         capture_output=True,
                         env={**os.environ, "DJANGO_SETTINGS_MODULE": "haochaping.settings",
                              "DATABASE_URL": url})
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")  # as autovacuum would after a bulk load
    return url, out.stdout.strip().splitlines()[-1]


def seed_handlings(count: int) -> str:
    import django

    django.setup()
    from django.utils import timezone

    from tests.factories import seed_completed_handlings

    world = seed_completed_handlings(
        count, code="BENCH", prefix="BS", completed_at=timezone.now(), phone_prefix="139",
        scopes=("handlings:write", "evaluations:write"), at_window=True)
    return str(world.key)


def ours(size: str, connections: int, url: str, key: str,
         offset: int) -> tuple[float, float, int]:
    env = {"DJANGO_SETTINGS_MODULE": "haochaping.settings", "DATABASE_URL": url,
           "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1", "HCP_AXES_ENABLED": "false"}
    headers = {"Content-Type": "application/json", "X-Api-Key": key}
    with gunicorn("haochaping.wsgi", env) as base:
        wrk(base, "/api/v1/evaluations", OURS_BODY, headers, connections=connections,
            seconds=WARM_SECONDS, limit=WARM, offset=offset)
        result = wrk(base, "/api/v1/evaluations", OURS_BODY, headers,
                     connections=connections, seconds=SECONDS[size], limit=HANDLINGS[size],
                     offset=offset + WARM)
    return result.requests_per_s, result.p99_ms, result.non_2xx


def run(size: str) -> list[tuple[str, float, str]]:
    figures: list[tuple[str, float, str]] = []
    url, key = prepare_ours(size)
    for run_index, connections in enumerate(RUNS):
        base_rps, base_p99 = minimal(size, connections)
        rps, p99, non_2xx = ours(size, connections, url, key,
                                 offset=run_index * (HANDLINGS[size] + WARM))
        figures += [
            (f"minimal endpoint c={connections} throughput", base_rps, "req/s"),
            (f"minimal endpoint c={connections} p99", base_p99, "ms"),
            (f"rating submit c={connections} throughput", rps, "req/s"),
            (f"rating submit c={connections} p99", p99, "ms"),
            (f"rating submit c={connections} non-2xx answers", float(non_2xx), "responses"),
            (f"rating submit c={connections} ratio to minimal", 100 * rps / base_rps, "%"),
        ]
    return figures


if __name__ == "__main__":
    from bench.run import main

    raise SystemExit(main(["--only", "submit", "--size", (sys.argv[1:] or ["quick"])[0]]))
