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


def minimal(size: str, connections: int) -> tuple[float, float]:
    url = fresh_db("hcp_bench_minimal")
    _manage("bench.minimal.settings", url, "migrate", "--run-syncdb", "-v0")
    env = {"DJANGO_SETTINGS_MODULE": "bench.minimal.settings", "DATABASE_URL": url}
    with gunicorn("bench.minimal.wsgi", env) as base:
        result = wrk(base, "/api/ratings", BODY, {"Content-Type": "application/json"},
                     connections=connections, seconds=SECONDS[size], limit=10_000_000)
    return result.requests_per_s, result.p99_ms


def run(size: str) -> list[tuple[str, float, str]]:
    figures: list[tuple[str, float, str]] = []
    for connections in (32, 4):
        rps, p99 = minimal(size, connections)
        figures.append((f"minimal endpoint c={connections} throughput", rps, "req/s"))
        figures.append((f"minimal endpoint c={connections} p99", p99, "ms"))
    return figures


if __name__ == "__main__":
    for name, value, unit in run(sys.argv[1] if len(sys.argv) > 1 else "quick"):
        print(f"{name:<48} {value:>12.1f} {unit}")
