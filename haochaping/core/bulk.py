"""Multi-row writes from plain tuples for the intake's hot path (no model instances, no
per-row SQL compilation).

PostgreSQL, batches of :data:`COPY_FROM_ROWS` rows or more: rows go through ``COPY``
(about twice as fast as one ``INSERT … SELECT FROM unnest(…)`` and several times faster
than a multi-row ``VALUES``); new rows that must return ids get them from the table's
sequence first; an insert that must skip conflicts, and an update, stage the rows in a
temporary table dropped right after. SQLite (embedded, in-process) and small batches:
multi-row ``INSERT … VALUES`` in chunks under the parameter limit, ``ON CONFLICT … DO
NOTHING RETURNING`` (SQLite ≥ 3.35, PostgreSQL) and ``executemany`` for updates.

Every function must run inside the caller's transaction; database errors are raised as
Django's (``IntegrityError`` on a unique violation).
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.dateparse import parse_datetime

Row = Sequence[Any]
UNIQUE_VIOLATION = "23505"  # PostgreSQL SQLSTATE
COPY_FROM_ROWS = 50  # PostgreSQL: fewer rows are written with one VALUES statement
PG_MAX_PARAMS = 65_535
_stage_ids = itertools.count(1)


def columns_of(model: type[Model], names: Iterable[str]) -> list[str]:
    """Database column names of ``model``'s fields ``names`` (attnames such as
    ``org_id`` are accepted too)."""
    by_name: dict[str, str] = {}
    for f in model._meta.concrete_fields:
        by_name[f.name] = by_name[f.attname] = f.column
    return [by_name[n] for n in names]


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _is_pg() -> bool:
    return connection.vendor == "postgresql"


def _sqlite_chunk(width: int) -> int:
    raw = connection.connection
    limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if raw is not None else 999
    return max(1, min(limit, 30_000) // max(1, width))


def _sqlite_values(rows: Iterable[Row]) -> list[list[Any]]:
    adapt = connection.ops.adapt_datetimefield_value
    return [[adapt(v) if isinstance(v, datetime) else v for v in row] for row in rows]


def _copy(cursor: Any, table: str, columns: Sequence[str], rows: Iterable[Row]) -> None:
    cols = ", ".join(_qn(c) for c in columns)
    with cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _stage(cursor: Any, table: str, columns: Sequence[str], rows: Iterable[Row]) -> str:
    """A temporary table holding ``rows`` (typed like ``table``'s columns)."""
    stage = f"hcp_stage_{next(_stage_ids)}"
    cols = ", ".join(_qn(c) for c in columns)
    cursor.execute(f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS "
                   f"SELECT {cols} FROM {_qn(table)} WITH NO DATA")
    _copy(cursor, stage, columns, rows)
    return stage


def select_by_key(table: str, columns: Sequence[str], key: str, values: Collection[Any], *,
                  where: str = "", params: Sequence[Any] = (), datetimes: Sequence[int] = (),
                  for_update: bool = False) -> list[tuple[Any, ...]]:
    """``columns`` of the rows whose ``key`` is in ``values`` (one array parameter on
    PostgreSQL instead of one parameter per value); ``where`` adds a condition with
    ``params``. Columns at the ``datetimes`` positions come back as aware datetimes on
    both databases. ``for_update`` locks the rows on PostgreSQL (SQLite's IMMEDIATE
    transaction already holds the write lock)."""
    if not values:
        return []
    cols = ", ".join(_qn(c) for c in columns)
    extra = f" AND ({where})" if where else ""
    with connection.cursor() as cursor:
        if _is_pg():
            cursor.execute(f"SELECT {cols} FROM {_qn(table)} WHERE {_qn(key)} = ANY(%s){extra}"
                           + (" FOR UPDATE" if for_update else ""), [list(values), *params])
            return list(cursor.fetchall())
        found: list[tuple[Any, ...]] = []
        keys = list(values)
        chunk = _sqlite_chunk(1) - len(params)
        for start in range(0, len(keys), chunk):
            part = keys[start:start + chunk]
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(f"SELECT {cols} FROM {_qn(table)} WHERE {_qn(key)} IN ({marks})"
                           f"{extra}", [*part, *params])
            found.extend(cursor.fetchall())
    if not datetimes:
        return found
    out = []
    for row in found:
        values_ = list(row)
        for i in datetimes:
            values_[i] = _sqlite_datetime(values_[i])
        out.append(tuple(values_))
    return out


def _sqlite_datetime(value: str | datetime | None) -> datetime | None:
    """A datetime column read by raw SQL on SQLite (text in the connection's time zone)
    as an aware datetime, as the ORM would return it."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else parse_datetime(value)
    if moment is None:
        raise ValueError(f"not a datetime: {value!r}")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, connection.timezone)
    return moment


def _copy_worth_it(rows: Sequence[Row]) -> bool:
    """COPY on PostgreSQL for big batches; a few rows go faster as one VALUES statement
    (fewer round trips: a single-item intake is the common API call)."""
    return connection.vendor == "postgresql" and len(rows) >= COPY_FROM_ROWS


def _insert_values(cursor: Any, table: str, columns: Sequence[str], rows: Sequence[Row],
                   suffix: str = "") -> list[tuple[Any, ...]]:
    """Multi-row ``INSERT … VALUES`` in chunks under the parameter limit; returns the
    fetched rows when ``suffix`` has a RETURNING clause."""
    cols = ", ".join(_qn(c) for c in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    if _is_pg():
        chunk, values = PG_MAX_PARAMS // len(columns), [list(r) for r in rows]
    else:
        chunk, values = _sqlite_chunk(len(columns)), _sqlite_values(rows)
    out: list[tuple[Any, ...]] = []
    for start in range(0, len(values), chunk):
        part = values[start:start + chunk]
        cursor.execute(f"INSERT INTO {_qn(table)} ({cols}) VALUES "
                       + ", ".join([one] * len(part)) + suffix,
                       [v for row in part for v in row])
        if suffix:
            out.extend(cursor.fetchall())
    return out


def insert_rows(table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
    """Insert ``rows`` (values in ``columns`` order); a duplicate key raises
    IntegrityError."""
    if not rows:
        return
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if _copy_worth_it(rows):
            _copy(cursor.cursor, _qn(table), columns, rows)
        else:
            _insert_values(cursor, table, columns, rows)


def insert_new_returning(table: str, columns: Sequence[str], rows: Sequence[Row], *,
                         unique: str, returning: Sequence[str]) -> list[tuple[Any, ...]]:
    """Insert the ``rows`` whose ``unique`` column value is not stored yet (``ON CONFLICT
    DO NOTHING``, so a row committed meanwhile by a concurrent transaction is skipped,
    not an error); returns ``returning`` of the rows actually inserted."""
    if not rows:
        return []
    cols = ", ".join(_qn(c) for c in columns)
    ret = ", ".join(_qn(c) for c in returning)
    conflict = f" ON CONFLICT ({_qn(unique)}) DO NOTHING RETURNING {ret}"
    big = _copy_worth_it(rows)
    if big:
        fast = _copy_with_ids(table, columns, rows, returning=returning)
        if fast is not None:
            return fast
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if not big:
            return _insert_values(cursor, table, columns, rows, conflict)
        raw = cursor.cursor
        stage = _stage(raw, table, columns, rows)
        raw.execute(f"INSERT INTO {_qn(table)} ({cols}) SELECT {cols} FROM {stage}{conflict}")
        out = list(raw.fetchall())
        raw.execute(f"DROP TABLE {stage}")
        return out


def _copy_with_ids(table: str, columns: Sequence[str], rows: Sequence[Row], *,
                   returning: Sequence[str]) -> list[tuple[Any, ...]] | None:
    """The common case on PostgreSQL, none of the rows stored yet: ids drawn from the
    table's sequence and the rows copied straight in, inside a savepoint. None when a
    row's unique value turned out to be taken (a concurrent insert): the savepoint is
    rolled back and the caller takes the conflict-skipping path."""
    pick = [(["id", *columns]).index(c) for c in returning]
    try:
        with transaction.atomic(), connection.cursor() as cursor, \
                connection.wrap_database_errors:
            raw = cursor.cursor
            raw.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                        "FROM generate_series(1, %s)", [table, len(rows)])
            full = [(pk, *row) for (pk,), row in zip(raw.fetchall(), rows, strict=True)]
            _copy(raw, _qn(table), ["id", *columns], full)
    except IntegrityError as exc:
        if getattr(exc.__cause__, "sqlstate", None) != UNIQUE_VIOLATION:
            raise
        return None
    return [tuple(row[i] for i in pick) for row in full]


def update_rows(table: str, key: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
    """Set ``columns`` of each row identified by ``key``; each row is the new values in
    ``columns`` order followed by the key value. One statement on PostgreSQL (staged
    rows joined on the key) for a big batch; ``executemany`` (pipelined by psycopg,
    in-process on SQLite) otherwise."""
    if not rows:
        return
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if _copy_worth_it(rows):
            raw = cursor.cursor
            stage = _stage(raw, table, [*columns, key], rows)
            sets = ", ".join(f"{_qn(c)} = s.{_qn(c)}" for c in columns)
            raw.execute(f"UPDATE {_qn(table)} AS t SET {sets} FROM {stage} AS s "
                        f"WHERE t.{_qn(key)} = s.{_qn(key)}")
            raw.execute(f"DROP TABLE {stage}")
            return
        sets = ", ".join(f"{_qn(c)} = %s" for c in columns)
        cursor.executemany(f"UPDATE {_qn(table)} SET {sets} WHERE {_qn(key)} = %s",
                           [list(r) for r in rows] if _is_pg() else _sqlite_values(rows))
