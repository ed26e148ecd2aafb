"""Monthly partitions for the ratings table: what a partition switch costs, and what a
query by org and month costs across partitions against one unpartitioned table.

Standalone (psycopg only, no Django). Works in a scratch schema ``partbench`` of the
database given by ``--dsn`` (default: the ``hcp_scaling`` database on the local
PostgreSQL), which it drops at the end unless ``--keep``. Never touches the project's
tables.

Two tables shaped like ``evaluations_evaluation`` (the same columns and the same 14
indexes as migration state of 2026-12-07; see ``docs/scaling.md``), holding the same
``--rows`` ratings spread evenly over three months (2026-09 .. 2026-11), ``--orgs`` orgs
picked with a skew (a few big halls take most ratings), levels 80/12/4/2.5/1.5 %:

- ``flat``: unpartitioned, the production indexes as they are;
- ``part``: ``PARTITION BY RANGE (created_at)``, one partition per month. PostgreSQL
  requires the partition key in every unique index, so the primary key becomes
  ``(id, created_at)``, ``public_id`` unique becomes ``(public_id, created_at)`` and the
  "one current rating per handling" index ``(handling_id, created_at) WHERE is_current``,
  which no longer guarantees it across months (``docs/scaling.md`` says how to keep it).

Measured, each operation ``--repeat`` times (median, min–max), with the lock each one
takes on the parent table and, for ATTACH and DETACH CONCURRENTLY, the longest wait of a
writer inserting into the current month meanwhile:

1. ``CREATE TABLE … PARTITION OF`` next month (empty, its 14 indexes created with it);
2. ``ATTACH PARTITION`` of a pre-filled next-month table (rows/3, indexes built before),
   without a CHECK constraint (PostgreSQL scans it to prove the bound) and with a
   matching, validated CHECK constraint (the scan is skipped); the CHECK's own
   ``VALIDATE CONSTRAINT`` is timed separately (it runs before, outside the parent's lock);
3. ``DETACH PARTITION … CONCURRENTLY``;
4. ``DROP TABLE`` of a detached month, against ``DELETE`` of the same month from ``flat``
   (rolled back; then once committed, with the ``VACUUM`` that reclaims it);
5. queries by org and month: one org's bad reviews of a month (the ``evaluation_bad_org``
   index, first keyset page), the same with no month (every partition), one org's
   level counts of a month (org index), and the current rating of one handling (the
   rating's look-up: no partition key, so one probe per partition).

    psql -h 127.0.0.1 -U postgres -c "create database hcp_scaling"      # once
    /work/main/.venv/bin/python bench/partition_switch.py                 # 2,000,000 rows
    /work/main/.venv/bin/python bench/partition_switch.py --rows 600000   # smaller run
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.partition_schema import (  # noqa: E402
    COLUMNS,
    CURRENT,
    MONTHS,
    NEXT,
    SCHEMA,
    fill_sql,
    index_ddl,
    ms,
    summary,
)


class Writer(threading.Thread):
    """Inserts one rating a few ms apart into the current month of ``part`` and records
    each insert's latency: does a partition operation block the writers?"""

    def __init__(self, dsn: str, first_id: int) -> None:
        super().__init__(daemon=True)
        self.dsn, self.next_id = dsn, first_id
        self.stop = threading.Event()
        self.latencies: list[float] = []

    def run(self) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(f"SET search_path = {SCHEMA}")
            while not self.stop.is_set():
                t0 = time.perf_counter()
                conn.execute(fill_sql("part", self.next_id, 1, CURRENT[0], CURRENT[1], 50))
                self.latencies.append(time.perf_counter() - t0)
                self.next_id += 1
                time.sleep(0.005)


@contextmanager
def writer(dsn: str, first_id: int) -> Iterator[Writer]:
    w = Writer(dsn, first_id)
    w.start()
    time.sleep(0.2)
    try:
        yield w
    finally:
        w.stop.set()
        w.join()


def parent_lock(conn: psycopg.Connection) -> str:
    rows = conn.execute(
        "SELECT mode FROM pg_locks WHERE pid = pg_backend_pid() AND relation = %s::regclass",
        (f"{SCHEMA}.part",)).fetchall()
    order = ["AccessShareLock", "RowShareLock", "RowExclusiveLock",
             "ShareUpdateExclusiveLock", "ShareLock", "ShareRowExclusiveLock",
             "ExclusiveLock", "AccessExclusiveLock"]
    modes = [r[0] for r in rows]
    return max(modes, key=order.index) if modes else "none"


def timed(conn: psycopg.Connection, sql: str, *, lock: bool = False) -> tuple[float, str]:
    """Runs sql in its own transaction (conn is in autocommit mode, so this is BEGIN …
    COMMIT); the time includes the commit."""
    mode = ""
    t0 = time.perf_counter()
    with conn.transaction():
        conn.execute(sql)
        if lock:
            t1 = time.perf_counter()
            mode = parent_lock(conn)
            t0 += time.perf_counter() - t1  # the lock look-up is not the operation
    return time.perf_counter() - t0, mode


def setup(conn: psycopg.Connection, rows: int, orgs: int) -> dict[str, float]:
    out: dict[str, float] = {}
    conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    conn.execute(f"CREATE SCHEMA {SCHEMA}")
    conn.execute(f"SET search_path = {SCHEMA}")
    conn.execute("SELECT setseed(0.42)")
    conn.execute(f"CREATE UNLOGGED TABLE stage ({COLUMNS})")
    per = rows // len(MONTHS)
    t0 = time.perf_counter()
    for i, (start, end) in enumerate(MONTHS):
        conn.execute(fill_sql("stage", 1 + i * per, per, start, end, orgs))
    out["generate"] = time.perf_counter() - t0

    conn.execute(f"CREATE TABLE flat ({COLUMNS})")
    for ddl in index_ddl("flat", partitioned=False):
        conn.execute(ddl)
    conn.execute(f"CREATE TABLE part ({COLUMNS}) PARTITION BY RANGE (created_at)")
    for ddl in index_ddl("part", partitioned=True):
        conn.execute(ddl)
    for start, end in MONTHS:
        conn.execute(f"CREATE TABLE part_{start[:7].replace('-', '_')} PARTITION OF part "
                     f"FOR VALUES FROM ('{start}') TO ('{end}')")
    for table in ("flat", "part"):
        t0 = time.perf_counter()
        with conn.transaction():
            conn.execute(f"INSERT INTO {table} SELECT * FROM stage ORDER BY id")
        out[f"load {table} (14 indexes, in id order)"] = time.perf_counter() - t0
    conn.execute("DROP TABLE stage")
    conn.execute("VACUUM ANALYZE flat")
    conn.execute("VACUUM ANALYZE part")
    return out


def sizes(conn: psycopg.Connection, rows: int) -> None:
    print("\n## Sizes")
    flat = conn.execute("SELECT pg_relation_size('flat'), pg_indexes_size('flat'), "
                        "pg_total_relation_size('flat')").fetchone()
    assert flat is not None
    print(f"flat: heap {flat[0] / 2**20:,.1f} MiB, indexes {flat[1] / 2**20:,.1f} MiB, "
          f"total {flat[2] / 2**20:,.1f} MiB = {flat[2] / rows:,.0f} bytes per row")
    parts = conn.execute(
        "SELECT c.relname, pg_total_relation_size(c.oid), c.reltuples::bigint "
        "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'part'::regclass ORDER BY 1").fetchall()
    total = sum(p[1] for p in parts)
    print(f"part: {len(parts)} partitions, total {total / 2**20:,.1f} MiB = "
          f"{total / rows:,.0f} bytes per row; "
          + ", ".join(f"{p[0]} {p[1] / 2**20:,.1f} MiB" for p in parts))


def ddl_ops(conn: psycopg.Connection, dsn: str, rows: int, orgs: int,
            repeat: int) -> None:
    print("\n## Partition operations (each in its own transaction, commit included)")
    nxt = "part_2026_12"
    creates, mode = [], ""
    for _ in range(repeat):
        t, mode = timed(conn, f"CREATE TABLE {nxt} PARTITION OF part "
                              f"FOR VALUES FROM ('{NEXT[0]}') TO ('{NEXT[1]}')", lock=True)
        creates.append(t)
        conn.execute(f"DROP TABLE {nxt}")
    print(f"CREATE TABLE … PARTITION OF (next month, empty, 14 indexes): {summary(creates)}; "
          f"parent lock {mode}")

    # A pre-filled next month, built outside the partitioned table.
    per = rows // len(MONTHS)
    first = 10 * rows
    t0 = time.perf_counter()
    conn.execute("CREATE TABLE fill (LIKE part INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    conn.execute(fill_sql("fill", first, per, NEXT[0], NEXT[1], orgs))
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    for ddl in index_ddl("fill", partitioned=True):
        conn.execute(ddl)
    build = time.perf_counter() - t0
    conn.execute("VACUUM ANALYZE fill")
    print(f"pre-filled next month ({per:,} rows), outside any lock of the parent: "
          f"load {load:,.1f} s, its 14 indexes {build:,.1f} s")

    bound = f"FOR VALUES FROM ('{NEXT[0]}') TO ('{NEXT[1]}')"
    writer_id = 20 * rows
    with writer(dsn, writer_id) as w:
        time.sleep(1.0)
    writer_id = w.next_id + 1
    print(f"baseline: one insert into the current month, nothing else running: median "
          f"{ms(statistics.median(w.latencies))}, longest {ms(max(w.latencies))} "
          f"over {len(w.latencies)} inserts")
    attach_plain, waits, mode = [], [], ""
    for _ in range(repeat):
        with writer(dsn, writer_id) as w:
            t, mode = timed(conn, f"ALTER TABLE part ATTACH PARTITION fill {bound}",
                            lock=True)
        writer_id = w.next_id + 1
        attach_plain.append(t)
        waits.append(max(w.latencies))
        conn.execute("ALTER TABLE part DETACH PARTITION fill")
    print(f"ATTACH PARTITION, no CHECK constraint (scans the table): {summary(attach_plain)}; "
          f"parent lock {mode}; longest insert into the current month meanwhile "
          f"{summary(waits)}")

    check = (f"created_at IS NOT NULL AND created_at >= '{NEXT[0]}' "
             f"AND created_at < '{NEXT[1]}'")
    validates, attach_check, waits = [], [], []
    for _ in range(repeat):
        conn.execute("ALTER TABLE fill DROP CONSTRAINT IF EXISTS fill_month")
        conn.execute(f"ALTER TABLE fill ADD CONSTRAINT fill_month CHECK ({check}) NOT VALID")
        t, _ = timed(conn, "ALTER TABLE fill VALIDATE CONSTRAINT fill_month")
        validates.append(t)
        with writer(dsn, writer_id) as w:
            t, mode = timed(conn, f"ALTER TABLE part ATTACH PARTITION fill {bound}",
                            lock=True)
        writer_id = w.next_id + 1
        attach_check.append(t)
        waits.append(max(w.latencies))
        conn.execute("ALTER TABLE part DETACH PARTITION fill")
    print(f"VALIDATE CONSTRAINT of the matching CHECK (before, outside the parent's lock): "
          f"{summary(validates)}")
    print(f"ATTACH PARTITION with the matching CHECK (no scan): {summary(attach_check)}; "
          f"parent lock {mode}; longest insert meanwhile {summary(waits)}")

    detaches, waits = [], []
    for _ in range(repeat):
        conn.execute(f"ALTER TABLE part ATTACH PARTITION fill {bound}")
        with writer(dsn, writer_id) as w:
            t0 = time.perf_counter()
            conn.execute("ALTER TABLE part DETACH PARTITION fill CONCURRENTLY")
            detaches.append(time.perf_counter() - t0)
        writer_id = w.next_id + 1
        waits.append(max(w.latencies))
    print(f"DETACH PARTITION … CONCURRENTLY ({per:,} rows): {summary(detaches)}; "
          f"longest insert meanwhile {summary(waits)}")


def drop_ops(conn: psycopg.Connection, rows: int, repeat: int) -> None:
    per = rows // len(MONTHS)
    start, end = MONTHS[0]
    deletes = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        with conn.transaction(force_rollback=True):
            conn.execute(f"DELETE FROM flat WHERE created_at >= '{start}' "
                         f"AND created_at < '{end}'")
        deletes.append(time.perf_counter() - t0)
    # Three detached months of about the same size: the pre-filled one and the two oldest.
    for month in ("2026_09", "2026_10"):
        conn.execute(f"ALTER TABLE part DETACH PARTITION part_{month} CONCURRENTLY")
    drops = []
    for table in ("fill", "part_2026_09", "part_2026_10"):
        t, _ = timed(conn, f"DROP TABLE {table}")
        drops.append(t)
    print(f"DROP TABLE of a detached month (~{per:,} rows): {summary(drops)}")
    print(f"unpartitioned instead: DELETE one month ({per:,} rows) from flat, rolled back: "
          f"{summary(deletes)}")
    t0 = time.perf_counter()
    with conn.transaction():
        conn.execute(f"DELETE FROM flat WHERE created_at >= '{start}' AND created_at < '{end}'")
    deleted = time.perf_counter() - t0
    t0 = time.perf_counter()
    conn.execute("VACUUM flat")
    vacuumed = time.perf_counter() - t0
    print(f"unpartitioned, once: DELETE one month committed {deleted:,.2f} s, then the VACUUM "
          f"that frees its space in the heap and the 14 indexes {vacuumed:,.2f} s")


QUERIES = {
    "bad reviews of one org, one month, first page of 50 (evaluation_bad_org)":
        "SELECT id, created_at, level FROM {t} WHERE org_id = %(org)s AND level <= 2 "
        "AND is_current AND invalidated_at IS NULL AND created_at >= %(start)s "
        "AND created_at < %(end)s ORDER BY created_at DESC, id DESC LIMIT 50",
    "bad reviews of one org, no month bound, first page of 50 (every partition)":
        "SELECT id, created_at, level FROM {t} WHERE org_id = %(org)s AND level <= 2 "
        "AND is_current AND invalidated_at IS NULL ORDER BY created_at DESC, id DESC "
        "LIMIT 50",
    "level counts of one org, one month (org index)":
        "SELECT level, count(*) FROM {t} WHERE org_id = %(org)s "
        "AND created_at >= %(start)s AND created_at < %(end)s GROUP BY level",
    "current rating of one handling (no partition key: one probe per partition)":
        "SELECT id FROM {t} WHERE handling_id = %(handling)s AND is_current",
}


def queries(conn: psycopg.Connection, rows: int, repeat: int, samples: int,
            explain: bool) -> None:
    print(f"\n## Queries (median of {samples} keys per round, {repeat} rounds alternating; "
          "figure: median of the round medians, min–max of the rounds)")
    conn.execute("SELECT setseed(0.7)")
    # Orgs drawn from rows, so big orgs come up as often as they are rated.
    orgs = [r[0] for r in conn.execute(
        "SELECT org_id FROM flat TABLESAMPLE SYSTEM (5) ORDER BY random() LIMIT %s",
        (samples,)).fetchall()]
    handlings = [1 + (i * 104729) % rows for i in range(samples)]
    start, end = CURRENT
    for name, sql in QUERIES.items():
        per_table: dict[str, list[float]] = {"flat": [], "part": []}
        if explain:
            for table in ("flat", "part"):
                plan = conn.execute("EXPLAIN (COSTS OFF) " + sql.format(t=table),
                                    {"org": orgs[0], "start": start, "end": end,
                                     "handling": handlings[0]}).fetchall()
                print(f"  plan on {table}:\n" + "\n".join("    " + r[0] for r in plan))
        for _ in range(repeat):
            for table in ("flat", "part"):
                q = sql.format(t=table)
                for org in orgs[:5]:  # warm-up
                    conn.execute(q, {"org": org, "start": start, "end": end,
                                     "handling": handlings[0]}).fetchall()
                times = []
                for org, handling in zip(orgs, handlings, strict=True):
                    t0 = time.perf_counter()
                    conn.execute(q, {"org": org, "start": start, "end": end,
                                     "handling": handling}).fetchall()
                    times.append(time.perf_counter() - t0)
                per_table[table].append(statistics.median(times))
        print(f"{name}:\n    unpartitioned {summary(per_table['flat'])}\n"
              f"    3 monthly partitions {summary(per_table['part'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dsn", default="postgres://postgres@127.0.0.1:5432/hcp_scaling")
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--orgs", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the scratch schema")
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    args = parser.parse_args()

    with psycopg.connect(args.dsn, autocommit=True) as conn:
        version = conn.execute("SHOW server_version").fetchone()
        print(f"# partition_switch: {args.rows:,} ratings over {len(MONTHS)} months, "
              f"{args.orgs:,} orgs, PostgreSQL {version[0] if version else '?'}, "
              f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
        t_all = time.perf_counter()
        for step, seconds in setup(conn, args.rows, args.orgs).items():
            print(f"{step}: {seconds:,.1f} s ({args.rows / seconds:,.0f} rows/s)")
        try:
            sizes(conn, args.rows)
            queries(conn, args.rows, args.repeat, args.samples, args.explain)
            ddl_ops(conn, args.dsn, args.rows, args.orgs, args.repeat)
            drop_ops(conn, args.rows, args.repeat)
        finally:
            if not args.keep:
                conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        print(f"\ntotal {time.perf_counter() - t_all:,.1f} s")


if __name__ == "__main__":
    main()
