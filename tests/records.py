"""Lifting the insert-only triggers around a test database's flush (test-only).

A transactional test ends with Django's flush (DELETE on SQLite, TRUNCATE on PostgreSQL),
which the triggers of the audit log, the ratings and the published snapshots refuse
(haochaping.core.records): conftest removes them before the flush and installs them again
after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from haochaping.audit import triggers
from haochaping.core import records


def remove_record_triggers() -> None:
    triggers.remove(connection)
    for guard in records.insert_only_tables():
        records.remove(connection, guard)


def install_record_triggers() -> None:
    triggers.install(connection)
    for guard in records.insert_only_tables():
        records.install(connection, guard)


@contextmanager
def record_triggers_lifted() -> Iterator[None]:
    remove_record_triggers()
    try:
        yield
    finally:
        install_record_triggers()


@contextmanager
def guard_lifted(guard: records.InsertOnly) -> Iterator[None]:
    """Set up a test row as if it had been inserted that way (the test's transaction is
    rolled back after it): one table's guard lifted for the block."""
    records.remove(connection, guard)
    try:
        yield
    finally:
        records.install(connection, guard)
