"""Claiming the dirty buckets the triggers of ``stats.triggers`` record.

A tick claims a batch of rows by deleting them (``DELETE … RETURNING``) in the
transaction that recomputes their buckets: if it fails, the rows come back with the
rollback. On PostgreSQL the batch is picked ``FOR UPDATE SKIP LOCKED``, so two ticks
claim disjoint rows and never wait for each other's claim; a row committed after the
claim (the bucket changed again during the recomputation) stays for the next tick. Each
row belongs to one writing transaction (``DirtyBucket.writer``), so a claim only ever
takes the traces of committed changes, which the recomputation then reads. On SQLite the
tick's IMMEDIATE transaction holds the single write lock: no write interleaves.
"""

from __future__ import annotations

from datetime import date

from django.db import connection

from haochaping.stats import rules
from haochaping.stats.models import DirtyBucket
from haochaping.stats.rollup.sources import Bucket

TABLE = DirtyBucket._meta.db_table


def claim(limit: int) -> list[Bucket]:
    """Delete up to ``limit`` dirty rows and return their buckets (with
    repeats when several transactions marked one); call inside the recomputing
    transaction."""
    lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE (day, org_id, writer) IN ("  # noqa: S608
                       f"SELECT day, org_id, writer FROM {TABLE} LIMIT %s{lock}) "
                       "RETURNING day, org_id", [limit])
        return [(rules.as_date(day), int(org)) for day, org in cursor.fetchall()]


def drop_range(first: date, end: date) -> None:
    """Forget the dirty rows of the days [first, end) committed so far: a rebuild of those
    days, in this transaction, reads every change they stand for. Rows a tick has claimed
    are skipped (PostgreSQL), never waited for."""
    lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE (day, org_id, writer) IN ("  # noqa: S608
                       f"SELECT day, org_id, writer FROM {TABLE} "
                       f"WHERE day >= %s AND day < %s{lock})", [first, end])


def pending() -> int:
    """How many dirty rows wait (for the admin and the tests)."""
    return DirtyBucket.objects.count()
