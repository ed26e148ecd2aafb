"""One-row INSERT without the ORM's SQL compiler, for the few writes on a hot path.

``insert_one(obj)`` prepares every value through the field exactly as ``save()`` would
(``pre_save`` then ``get_db_prep_save``) and sends a statement built once per model, so
a rating costs one INSERT and no per-request SQL compilation. It sends no model signals:
use it only for models that have no ``pre_save``/``post_save`` receivers.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models


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


def insert_one(obj: models.Model, *, along: Statement | None = None) -> None:
    """Insert ``obj`` (a new instance with an auto primary key) and set its pk.

    ``along``: one more write (an UPDATE or DELETE without RETURNING) sent with the
    INSERT, as a data-modifying CTE on PostgreSQL (one round trip), before it elsewhere."""
    conn = connections[DEFAULT_DB_ALIAS]
    returning = bool(conn.features.can_return_columns_from_insert)
    sql, fields = _statement(type(obj), conn.vendor, returning)
    values: list[Any] = [f.get_db_prep_save(f.pre_save(obj, True), conn) for f in fields]
    with conn.cursor() as cursor:
        if along is not None and conn.vendor == "postgresql":
            sql, values = f"WITH along AS ({along[0]}) {sql}", [*along[1], *values]
        elif along is not None:
            cursor.execute(along[0], along[1])
        cursor.execute(sql, values)
        obj.pk = cursor.fetchone()[0] if returning else cursor.lastrowid
    obj._state.adding, obj._state.db = False, DEFAULT_DB_ALIAS
