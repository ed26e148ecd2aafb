"""Helpers shared by the benchmarks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def scratch_test_db() -> Iterator[str]:
    """A throw-away test database (``test_<name>`` of DATABASE_URL), dropped afterwards;
    yields the database vendor. Benchmarks never touch real data."""
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield connection.vendor
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run_inner(script: str, db: str, url: str) -> None:
    """Migrate the PostgreSQL database ``db`` at ``url``, run ``script --inner`` against it
    in a fresh process, then drop it (kept with ``HCP_BENCH_KEEP_DB=1``): the standalone
    benchmarks' outer half."""
    import os
    import subprocess
    import sys

    import psycopg

    from bench.bench_submit import PG, ROOT, _manage

    try:
        _manage("haochaping.settings", url, "migrate", "-v0")
        subprocess.run([sys.executable, script, "--inner"], cwd=ROOT, check=True,
                       env={**os.environ, "DJANGO_SETTINGS_MODULE": "haochaping.settings",
                            "DATABASE_URL": url, "HCP_AXES_ENABLED": "false"})
    finally:
        if os.environ.get("HCP_BENCH_KEEP_DB") != "1":
            with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
