"""The hourly supervision jobs at a province's volume (issue 15): the 防刷评 scan
(``integrity.services.scan``) and the 共性问题 detection (``problems.services.detect_run``)
over N ratings in their 30-day look-back. PostgreSQL only, a standalone script: no target
was set for these jobs; the figures say what an hourly run costs and how much memory it
holds, so a deployment knows when the look-back must become incremental.

Creates its own database; generates N ratings with the statistics benchmark's generator
(3,000 orgs, one completed handling and one rating each) over the last 30 days, gives
them RATERS different raters with their own phone index, and names cause 108 (办事指南)
on every bad rating; then times the first scan (every flag new), a second scan (nothing
new: the steady hourly cost), and the detection twice the same way. The generator's
ratings fall at any hour and its bad ratings crowd onto a few orgs, so the first runs flag
and open far more than a real month would: they bound the cost of a backlog.

    HCP_BENCH_ROWS=1000000 .venv/bin/python bench/integrity_scan.py
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.bench_submit import fresh_db  # noqa: E402
from bench.common import run_inner  # noqa: E402

DB = "hcp_bench_integrity"
ROWS = int(os.environ.get("HCP_BENCH_ROWS", "1000000"))
RATERS = int(os.environ.get("HCP_BENCH_RATERS", "200000"))
SPAN_DAYS = 27  # the generator adds up to 3 days of completion-to-rating: inside 30

RATER_ROWS = """
INSERT INTO {table} (kind, id_type, identity_index, id_no_index, phone_index, name_cipher,
  id_no_cipher, phone_cipher, name_masked, id_no_masked, phone_masked, key_id, created_at,
  updated_at)
SELECT '1', '111', 'bench-' || g, '', 'phone-' || g, '-', '', '', '张*', '', '139****0000',
  'bench', now(), now()
FROM generate_series(1, %(n)s) AS g
"""


def _emit(name: str, value: float, unit: str) -> None:
    print(f"{name:<56} {value:>10.1f} {unit}", flush=True)


def _timed(name: str, fn: object) -> object:
    begin = time.perf_counter()
    result = fn()  # type: ignore[operator]
    _emit(name, time.perf_counter() - begin, "s")
    return result


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def inner() -> None:
    import django

    django.setup()
    from django.utils import timezone

    from bench.stats_data import generate, seed_catalog
    from haochaping.handlings.models import Rater
    from haochaping.integrity.models import Flag
    from haochaping.integrity.services import scan
    from haochaping.problems.services import detect_run

    url = os.environ["DATABASE_URL"]
    now = timezone.now()
    ids = seed_catalog()
    _timed(f"generate {ROWS} ratings in 30 days (+ handlings)",
           lambda: generate(url, ids, ROWS, now, span_days=SPAN_DAYS))
    with psycopg.connect(url, autocommit=True) as conn:
        # The generated rows are dressed up in place: the insert-only guard's trigger is
        # skipped for this connection only, as the generator skips foreign-key triggers.
        conn.execute("SET session_replication_role = replica")
        conn.execute(RATER_ROWS.format(table=Rater._meta.db_table), {"n": RATERS})
        first = conn.execute(f"SELECT min(id) FROM {Rater._meta.db_table} "
                             "WHERE identity_index LIKE 'bench-%%'").fetchone()
        assert first is not None
        conn.execute("UPDATE evaluations_evaluation SET rater_id = %(r0)s + id %% %(n)s",
                     {"r0": first[0], "n": RATERS})
        conn.execute("UPDATE evaluations_evaluation SET reason_codes = '[\"108\"]'::jsonb "
                     "WHERE level <= 2 AND NOT is_default")
        conn.execute("VACUUM ANALYZE evaluations_evaluation")
    _emit("ratings read by each scan (the look-back)", ROWS, "ratings")
    counts = _timed("integrity scan, first run (every flag new)", lambda: scan(now=now))
    _emit("  flags written", Flag.objects.count(), "flags")
    print("  by signal:", {s.value: n for s, n in counts.items()}, flush=True)  # type: ignore[attr-defined]
    _timed("integrity scan, second run (nothing new: the hourly cost)", lambda: scan(now=now))
    opened = _timed("common-problem detection, first run (every task new)",
                    lambda: detect_run(now))
    _emit("  tasks opened", len(opened), "tasks")  # type: ignore[arg-type]
    _timed("common-problem detection, second run (the hourly cost)", lambda: detect_run(now))
    _emit("peak memory of the process", _peak_mb(), "MB")


def main() -> None:
    run_inner(__file__, DB, fresh_db(DB))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--inner"]:
        inner()
    else:
        main()
