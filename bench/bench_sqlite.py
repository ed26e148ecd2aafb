"""SQLite mode vs PostgreSQL under concurrency, in the same run (issue 3 "Speed").

For each database — the embedded SQLite default (WAL, IMMEDIATE transactions, busy
timeout: haochaping/settings.py) in a fresh file, and a fresh PostgreSQL database
``hcp_perf_sqlite_pg`` (dropped afterwards) — gunicorn serves the app with 4 sync
workers and:

1. two concurrent posters send bulks of 1,000 completed handlings (handlings/s); these
   are the handlings rated in step 3;
2. wrk posts single handlings to ``POST /api/v1/handlings`` (req/s);
3. wrk posts ratings to ``POST /api/v1/evaluations`` with an ``evaluations:write`` key
   (req/s), each for a distinct handling of step 1.

Prints each figure, the SQLite/PostgreSQL ratio (target ≥ 50 %), the non-2xx answers
and the "database is locked" lines of the server's error log (target 0).
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_intake import (  # noqa: E402
    BULK,
    HTTP_ENV,
    drop_pg,
    fresh_pg,
    post_concurrently,
    prepare,
)
from bench.guards import Guard  # noqa: E402
from bench.httpload import gunicorn, wrk  # noqa: E402

SECONDS = {"quick": 5, "large": 20}
RATED = {"quick": 20_000, "large": 60_000}  # completed handlings, one rating each at most
WORKERS = 4
CONNECTIONS = 16
ISSUE3 = "issue 3 target: SQLite ≥ 50 % of PostgreSQL, no 'database is locked'"
GUARDS = [
    Guard("bulk intake, 2 posters sqlite/postgresql", ">=", 50, "%", ISSUE3),
    Guard("single intake, wrk c={n} sqlite/postgresql", ">=", 50, "%", ISSUE3),
    Guard("rating submit, wrk c={n} sqlite/postgresql", ">=", 50, "%", ISSUE3),
    Guard("sqlite 'database is locked' errors", "==", 0, "lines", ISSUE3),
    Guard("postgresql 'database is locked' errors", "==", 0, "lines", ISSUE3),
    Guard("sqlite non-2xx answers", "==", 0, "responses", "every request succeeds"),
    Guard("postgresql non-2xx answers", "==", 0, "responses", "every request succeeds"),
]
PG_NAME = "hcp_perf_sqlite_pg"
LOCKED = "database is locked"
RATING = ('{"proj_no":"BS%08d","channel":"app","level":5,"content_codes":["510","517"],'
          '"text":"服务热情，一次办结","rater":{"phone":"139%08d"}}')


def _completed(world: object, count: int, now: str) -> list[bytes]:
    w = vars(world)
    items = [{
        "projectNo": f"BS{n:08d}", "taskCode": w["matter_code"],
        "serviceVersion": w["matter_version"], "orgcode": w["org_code"],
        "windowCode": w["window_codes"][n % len(w["window_codes"])], "proStatus": "3",
        "acceptDate": now, "resultDate": now, "userProp": "1", "userName": "张晓明",
        "telPhone": f"139{n:08d}",
    } for n in range(count)]
    return [json.dumps(items[i:i + BULK]).encode() for i in range(0, count, BULK)]


def _single_body(world: object, now: str) -> str:
    w = vars(world)
    item = {"projectNo": "WK%08d", "taskCode": w["matter_code"],
            "serviceVersion": w["matter_version"], "orgcode": w["org_code"],
            "windowCode": w["window_codes"][0], "proStatus": "3", "acceptDate": now,
            "resultDate": now, "userProp": "1", "userName": "李华", "telPhone": "138%08d"}
    return json.dumps(item, ensure_ascii=False)


def measure(url: str, size: str, log: Path) -> dict[str, float]:
    """The figures of one database (migrated and seeded here)."""
    world = prepare(url)
    now = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S")
    count, seconds = RATED[size], SECONDS[size]
    headers = {"Content-Type": "application/json", "X-Api-Key": world.key}
    with gunicorn("haochaping.wsgi", {**HTTP_ENV, "DATABASE_URL": url}, workers=WORKERS,
                  log=log) as base:
        elapsed, failed = post_concurrently(base, world.key, _completed(world, count, now), 2)
        single = wrk(base, "/api/v1/handlings", _single_body(world, now), headers,
                     connections=CONNECTIONS, seconds=seconds, limit=1_000_000)
        # Each wrk thread rates its own half of BS0…: no handling is rated twice as long
        # as a run stays under `count` requests.
        rating = wrk(base, "/api/v1/evaluations", RATING, headers, connections=CONNECTIONS,
                     seconds=seconds, limit=count)
    return {"bulk": count / elapsed, "bulk_failed": failed,
            "single": single.requests_per_s, "single_non_2xx": single.non_2xx,
            "single_p99": single.p99_ms, "submit": rating.requests_per_s,
            "submit_non_2xx": rating.non_2xx, "submit_p99": rating.p99_ms,
            "locked": log.read_text(errors="replace").count(LOCKED)}


def run(size: str) -> list[tuple[str, float, str]]:
    with tempfile.TemporaryDirectory(prefix="hcp_perf_sqlite_") as tmp:
        lite = measure(f"sqlite:///{tmp}/haochaping.sqlite3", size, Path(tmp) / "lite.log")
        try:
            pg = measure(fresh_pg(PG_NAME), size, Path(tmp) / "pg.log")
        finally:
            drop_pg(PG_NAME)
    figures: list[tuple[str, float, str]] = []
    for key, label, unit in (("bulk", "bulk intake, 2 posters", "handlings/s"),
                             ("single", f"single intake, wrk c={CONNECTIONS}", "req/s"),
                             ("submit", f"rating submit, wrk c={CONNECTIONS}", "req/s")):
        figures += [(f"{label} sqlite", round(lite[key], 1), unit),
                    (f"{label} postgresql", round(pg[key], 1), unit),
                    (f"{label} sqlite/postgresql", round(100 * lite[key] / pg[key], 1), "%")]
    for db, data in (("sqlite", lite), ("postgresql", pg)):
        figures += [
            (f"{db} single intake p99", data["single_p99"], "ms"),
            (f"{db} rating submit p99", data["submit_p99"], "ms"),
            (f"{db} non-2xx answers", float(data["bulk_failed"] + data["single_non_2xx"]
                                           + data["submit_non_2xx"]), "responses"),
            (f"{db} 'database is locked' errors", float(data["locked"]), "lines"),
        ]
    return figures


if __name__ == "__main__":
    from bench.run import main

    raise SystemExit(main(["--only", "sqlite", "--size", (sys.argv[1:] or ["quick"])[0]]))
