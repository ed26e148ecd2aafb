"""Hot-path SQL without the ORM's compiler: the few statements every rating sends.

``insert_one(obj)`` prepares every value through the field exactly as ``save()`` would
(``pre_save`` then ``get_db_prep_save``) and sends a statement built once per model, so
a rating costs one INSERT and no per-request SQL compilation. It sends no model signals:
use it only for models that have no ``pre_save``/``post_save`` receivers.

``run(sql, params)`` sends such a fixed statement. On PostgreSQL both go as server-side
prepared statements of the connection (psycopg ``prepare=True``: parsed and planned once
per connection, the parameters sent apart from the text, no client-side quoting), in the
connection's current transaction, with Django's error classes. Behind a pooler that does
not keep prepared statements per client (PgBouncer in transaction mode before 1.21), set
``HCP_DB_PREPARE=false``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models
from psycopg.pq import ExecStatus


@cache
def _statement(model: type[models.Model], vendor: str,
               returning: bool) -> tuple[str, list[models.Field[object, object]]]:
    conn = connections[DEFAULT_DB_ALIAS]
    qn = conn.ops.quote_name
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f is not meta.pk]
    sql = (f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    if returning:
        sql += f" RETURNING {qn(meta.pk.column)}"
    return sql, fields


Statement = tuple[str, list[Any]]
TUPLES_OK = ExecStatus.TUPLES_OK


def run(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Execute one hot-path statement (``%s`` placeholders); its rows, if it has any."""
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.vendor == "postgresql" and getattr(settings, "HCP_DB_PREPARE", True):
        conn.ensure_connection()
        conn.validate_no_broken_transaction()
        with conn.wrap_database_errors, psycopg.Cursor(conn.connection) as cursor:
            cursor.execute(sql, params, prepare=True)
            # not ``cursor.description``: it builds a Column per column on every call
            result = cursor.pgresult
            return cursor.fetchall() if result and result.status == TUPLES_OK else []
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def insert_one(obj: models.Model, *, along: Statement | None = None) -> None:
    """Insert ``obj`` (a new instance with an auto primary key) and set its pk.

    ``along``: one more write (an UPDATE or DELETE without RETURNING) sent with the
    INSERT, as a data-modifying CTE on PostgreSQL (one round trip), before it elsewhere."""
    conn = connections[DEFAULT_DB_ALIAS]
    returning = bool(conn.features.can_return_columns_from_insert)
    sql, fields = _statement(type(obj), conn.vendor, returning)
    values: list[Any] = [f.get_db_prep_save(f.pre_save(obj, True), conn) for f in fields]
    if conn.vendor == "postgresql":
        if along is not None:
            sql, values = f"WITH along AS ({along[0]}) {sql}", [*along[1], *values]
        obj.pk = run(sql, values)[0][0]
    else:
        with conn.cursor() as cursor:
            if along is not None:
                cursor.execute(along[0], along[1])
            cursor.execute(sql, values)
            obj.pk = cursor.fetchone()[0] if returning else cursor.lastrowid
    obj._state.adding, obj._state.db = False, DEFAULT_DB_ALIAS
