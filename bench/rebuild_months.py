"""The full roll-up rebuild as independent per-month units, 1 process against 2 (issue 12).

PostgreSQL only. Creates its own database, generates N ratings with the statistics
benchmark's generator (bench_stats: one completed handling and one rating each, 13
months, 3,000 orgs), then times, on the same data:

- ``stats.services.rebuild_all`` (one transaction, a bulk load without indexes: the
  reference);
- every month of ``stats.services.rebuild_plan()`` through ``rebuild_month(year, month)``
  in a pool of 1 process, then of 2 processes (alternated, ROUNDS times each), as the
  task engine's workers would share them: over the roll-ups as they stand (each month
  deletes its rows and writes them again), then into emptied tables (a first build).

After each run the roll-up tables are compared with what ``rebuild_all`` wrote (row
count and an order-free checksum per table): the per-month rebuild must write the same.

    HCP_BENCH_ROWS=1000000 .venv/bin/python bench/rebuild_months.py

Generating 10 M ratings takes about an hour; to time the rebuilds again on the same data
(for instance on a quieter machine), keep the database (``HCP_BENCH_KEEP_DB=1``) and run
again with ``HCP_BENCH_REUSE=1``: the kept database is migrated to the current code, its
roll-ups as they stand are the reference, and only the per-month passes run, with the
process counts in ``HCP_BENCH_PROCESSES`` (default ``1,2``).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.bench_submit import fresh_db  # noqa: E402
from bench.common import run_inner  # noqa: E402

DB = "hcp_rebuild_months"
PG = os.environ.get("HCP_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
ROWS = int(os.environ.get("HCP_BENCH_ROWS", "1000000"))
ROUNDS = int(os.environ.get("HCP_BENCH_ROUNDS", "2"))
REUSE = os.environ.get("HCP_BENCH_REUSE") == "1"
# HCP_BENCH_EMPTY=0 leaves out the passes into emptied tables (a first build).
EMPTY = (False, True) if os.environ.get("HCP_BENCH_EMPTY", "1") == "1" else (False,)
PROCESSES = tuple(int(p) for p in os.environ.get("HCP_BENCH_PROCESSES", "1,2").split(","))


def _emit(name: str, value: float, unit: str) -> None:
    print(f"{name:<52} {value:>10.1f} {unit}", flush=True)


def _checksums() -> dict[str, tuple[int, int]]:
    from django.db import connection

    from haochaping.stats.rollup import COARSE, SOURCES

    found = {}
    with connection.cursor() as cursor:
        for model in [*SOURCES, *COARSE]:
            columns = ", ".join(connection.ops.quote_name(f.column)
                                for f in model._meta.concrete_fields if not f.primary_key)
            table = model._meta.db_table
            cursor.execute(f"SELECT count(*), coalesce(sum(hashtext(t::text)::bigint), 0) "  # noqa: S608
                           f"FROM (SELECT {columns} FROM {table}) AS t")
            found[table] = tuple(cursor.fetchone())  # type: ignore[arg-type]
    return found


def _month(month: tuple[int, int]) -> float:
    from haochaping.stats.services import rebuild_month

    begin = time.perf_counter()
    rebuild_month(*month)
    return time.perf_counter() - begin


def _by_months(processes: int, *, empty: bool) -> float:
    from django.db import connection, connections

    from haochaping.stats.rollup import COARSE, SOURCES
    from haochaping.stats.services import rebuild_plan

    months = rebuild_plan()
    if empty:  # a first build: nothing to delete, every row new
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE " + ", ".join(m._meta.db_table for m in [*SOURCES, *COARSE]))
            cursor.execute("CHECKPOINT")
    connections.close_all()  # each forked worker opens its own connection
    begin = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        pool.map(_month, months, chunksize=1)
    return time.perf_counter() - begin


def inner() -> None:
    import django

    django.setup()
    from django.utils import timezone

    from bench.stats_data import generate, seed_catalog
    from haochaping.stats.services import rebuild_all, rebuild_plan

    if not REUSE:
        url = os.environ["DATABASE_URL"]
        ids = seed_catalog()
        begin = time.perf_counter()
        generate(url, ids, ROWS, timezone.now())
        _emit(f"generate {ROWS} ratings (+ handlings)", time.perf_counter() - begin, "s")
        begin = time.perf_counter()
        rebuild_all()
        _emit("rebuild_all (bulk load, 1 transaction)", time.perf_counter() - begin, "s")
    reference = _checksums()
    _emit("months in the plan", len(rebuild_plan()), "months")
    for table, (rows, _) in reference.items():
        _emit(f"{table} rows", rows, "rows")
    for round_no in range(ROUNDS):
        for empty in EMPTY:
            for processes in PROCESSES:
                seconds = _by_months(processes, empty=empty)
                same = _checksums() == reference
                tables = "empty tables" if empty else "over the roll-ups"
                _emit(f"round {round_no + 1}: rebuild_month x all, {tables}, {processes} proc",
                      seconds, "s" + ("" if same else "  ROLL-UPS DIFFER FROM rebuild_all"))


def main() -> None:
    run_inner(__file__, DB, f"{PG}/{DB}" if REUSE else fresh_db(DB))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--inner"]:
        inner()
    else:
        main()
