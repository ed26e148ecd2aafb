"""Catalog import throughput: a matters file (CSV and XLSX), dry run, import, re-import.

Runs in a throw-away test database (``test_<name>`` of the configured DATABASE_URL), so
it never touches real data. ``run(size)`` returns (figure, value, unit) triples; as a
script it prints one line per figure.  Target: ≥ 20,000 rows/s for 50k rows on PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.guards import Guard, large_only  # noqa: E402

SIZES = {"quick": 5_000, "large": 100_000}
# On PostgreSQL (DATABASE_URL): the figure of another backend does not match the guard,
# which then fails as missing.
GUARDS = large_only(
    "the target is quoted for 100,000 rows on PostgreSQL; a quick run imports 5,000 into "
    "whatever DATABASE_URL names, SQLite by default",
    Guard("import matters CSV (create) ({n} rows, postgresql)", ">=", 20_000, "rows/s",
          "issue 3 target"))


def _setup() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haochaping.settings")
    import django

    django.setup()


def _matters_rows(count: int, org_codes: list[str]) -> list[list[str]]:
    from haochaping.catalog.importing.columns import MATTER_COLUMNS

    rows = [[c.header for c in MATTER_COLUMNS]]
    for n in range(count):
        rows.append([f"M{n:07d}", f"IMPL{n:07d}", "1", f"事项{n}", "行政许可",
                     org_codes[n % len(org_codes)], "承诺件", str(n % 20), "",
                     "是" if n % 2 else "否", "是"])
    return rows


def _measure(rows: int, label: str, fn: object) -> tuple[str, float, str]:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    elapsed = time.perf_counter() - start
    return (label, round(rows / elapsed), "rows/s")


def _figures(count: int) -> list[tuple[str, float, str]]:
    from haochaping.accounts.roles import Role
    from haochaping.accounts.scoping import Actor
    from haochaping.catalog.importing.export import catalog_export
    from haochaping.catalog.importing.service import catalog_import
    from haochaping.catalog.tests.importing_helpers import csv_bytes, xlsx_bytes
    from tests import factories as f

    city = f.make_org("市政务服务局", kind="supervising", code="BENCHCITY")
    orgs = [f.make_org(f"部门{i}", parent=city, code=f"BENCH{i:02d}").code for i in range(20)]
    actor = Actor(role=Role.SYSTEM_ADMIN, scope_path=None, label="bench")
    rows = _matters_rows(count, orgs)
    data = csv_bytes(rows)
    figures = [
        _measure(count, "import matters CSV dry run", lambda: catalog_import(
            actor=actor, entity="matters", data=data, dry_run=True)),
        _measure(count, "import matters CSV (create)", lambda: catalog_import(
            actor=actor, entity="matters", data=data)),
        _measure(count, "re-import matters CSV (unchanged)", lambda: catalog_import(
            actor=actor, entity="matters", data=data)),
    ]
    changed = csv_bytes([rows[0]] + [[*r[:3], r[3] + "（新）", *r[4:]] for r in rows[1:]])
    figures.append(_measure(count, "re-import matters CSV (all updated)", lambda: catalog_import(
        actor=actor, entity="matters", data=changed)))
    figures.append(_measure(count, "export matters CSV", lambda: catalog_export(
        actor=actor, entity="matters", fmt="csv")))
    xlsx = xlsx_bytes(rows)  # type: ignore[arg-type]
    figures.append(_measure(count, "import matters XLSX dry run", lambda: catalog_import(
        actor=actor, entity="matters", data=xlsx, dry_run=True)))
    return figures


def run(size: str) -> list[tuple[str, float, str]]:
    _setup()
    from bench.common import scratch_test_db

    count = SIZES[size]
    with scratch_test_db() as vendor:
        figures = _figures(count)
    return [(f"{label} ({count} rows, {vendor})", value, unit)
            for label, value, unit in figures]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="quick")
    from bench.run import main

    raise SystemExit(main(["--only", "import", "--size", parser.parse_args().size]))
