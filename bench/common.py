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
