"""Bulk inserts for the demo's big tables: ``bulk_create`` in batches, or on PostgreSQL
``COPY ... FROM STDIN`` (psycopg ``cursor.copy``) with ids drawn from the table's identity
sequence first, so the caller still knows each row's id (evaluations point at handlings).

Values go through each field's ``pre_save``/``get_db_prep_save`` exactly as bulk_create
would prepare them; only the transport differs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models

M = TypeVar("M", bound=models.Model)
BATCH = 2_000


@contextmanager
def manual_timestamps(*model_classes: type[models.Model]) -> Iterator[None]:
    """Let the demo set ``auto_now``/``auto_now_add`` columns itself (back-dated rows)."""
    saved = [(f, f.auto_now, f.auto_now_add) for m in model_classes
             for f in m._meta.concrete_fields
             if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add)]
    for f, _, _ in saved:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add


def _reserve_ids(model: type[models.Model], count: int) -> list[int]:
    meta = model._meta
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                       "FROM generate_series(1, %s)", [meta.db_table, meta.pk.column, count])
        return [row[0] for row in cursor.fetchall()]


def _needs_prep(f: models.Field[object, object]) -> bool:
    """JSON (adapted to Jsonb) and live auto_now columns go through the field; every other
    value (int, str, bool, aware datetime, UUID, None) is adapted by psycopg itself."""
    return (isinstance(f, models.JSONField) or bool(getattr(f, "auto_now", False))
            or bool(getattr(f, "auto_now_add", False)))


def _copy(model: type[M], rows: Sequence[M]) -> None:
    conn = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    fields = [(f, f.attname, _needs_prep(f)) for f in meta.concrete_fields]
    for obj, pk in zip(rows, _reserve_ids(model, len(rows)), strict=True):
        obj.pk = pk
    qn = conn.ops.quote_name
    sql = (f"COPY {qn(meta.db_table)} ({', '.join(qn(f.column) for f, _, _ in fields)}) "
           f"FROM STDIN")
    with conn.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in rows:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), conn) if prep
                            else getattr(obj, attname) for f, attname, prep in fields])
    for obj in rows:
        obj._state.adding, obj._state.db = False, DEFAULT_DB_ALIAS


def insert_rows(model: type[M], rows: Sequence[M]) -> None:
    """Insert ``rows`` and set their ids (COPY on PostgreSQL, bulk_create elsewhere)."""
    if not rows:
        return
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        _copy(model, rows)
    else:
        model._default_manager.bulk_create(rows, batch_size=BATCH)
