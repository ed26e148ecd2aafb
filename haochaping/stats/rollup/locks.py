"""Locks that let ticks and rebuilds run in many processes at once (PostgreSQL).

Transaction-scoped advisory locks, taken in one global order (the whole log, then
months, then (month, org) buckets, each in key order) so two holders never deadlock:

- a tick holds the whole roll-ups and each month it touches *shared*, and each
  (month, org) it recomputes *exclusively*: two ticks recompute different buckets at
  once, and one bucket (its month rows moved by deltas, stats.rollup.coarse) one tick
  at a time, the second reading what the first committed;
- ``rebuild_month`` holds the whole shared and its month exclusively: rebuilds of
  different months run at once; ticks of that month wait for it;
- ``rebuild_all`` (it truncates every table) holds the whole exclusively.

On SQLite nothing is taken: the IMMEDIATE transaction already holds the database's one
write lock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import connection

from haochaping.stats.rollup.sources import Bucket

WHOLE, MONTH, ORG_MONTH = 804_113_201, 804_113_202, 804_113_203  # lock namespaces
_INT4 = 2_147_483_647


def _month_key(day: date) -> int:
    return day.year * 12 + day.month - 1


def _take(namespace: int, keys: Iterable[int], *, shared: bool) -> None:
    if connection.vendor != "postgresql":
        return
    ordered = sorted(set(keys))
    if not ordered:
        return
    fn = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        # unnest yields the sorted array in order: the locks are taken in key order
        cursor.execute(f"SELECT count({fn}(%s::int, k)) FROM unnest(%s::int[]) AS k",
                       [namespace, ordered])


def hold_buckets(buckets: Iterable[Bucket]) -> None:
    """For a tick: the whole and the months shared, each (month, org) exclusively."""
    keys = {(_month_key(day), org) for day, org in buckets}
    _take(WHOLE, [0], shared=True)
    _take(MONTH, [m for m, _ in keys], shared=True)
    _take(ORG_MONTH, [(m * 1_000_003 + org) % _INT4 for m, org in keys], shared=False)


def hold_months(months: Iterable[date]) -> None:
    """For a rebuild of these months: the whole shared, the months exclusively."""
    _take(WHOLE, [0], shared=True)
    _take(MONTH, [_month_key(m) for m in months], shared=False)


def hold_whole() -> None:
    """For a rebuild of everything: the whole exclusively."""
    _take(WHOLE, [0], shared=False)
