"""Bulk loading of whole rollup tables on PostgreSQL (the full rebuild).

A full rebuild writes millions of rollup rows. Maintaining every index row by row costs
several times more than building the indexes once from the loaded table (a sort per
index), so :func:`emptied_without_indexes` empties the tables, drops their secondary
indexes and unique constraints, and re-creates them exactly as they were (same names,
same definitions, read from the catalog) once the caller's load is done. Everything runs
in the caller's transaction: a failure rolls the tables, rows and indexes back together.

Dropping an index needs the table's owner. The runtime role of ``haochaping db roles``
owns nothing (docs/security.md): there the tables are only emptied and loaded with their
indexes in place — slower, but the worker's first roll-up run still completes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, models

_CONSTRAINTS = """
SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) AND contype = 'u'
ORDER BY 1, 2"""
_INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i
WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
ORDER BY 1"""
_OWNED = """
SELECT bool_and(pg_has_role(current_user, relowner, 'USAGE'))
FROM pg_class WHERE oid = ANY(%s::regclass[])"""


@contextmanager
def emptied_without_indexes(tables: list[type[models.Model]]) -> Iterator[None]:
    """TRUNCATE these tables and drop their secondary indexes and unique constraints for
    the body, then build them again. PostgreSQL only; call inside a transaction."""
    qn = connection.ops.quote_name
    names = [m._meta.db_table for m in tables]
    constraints: list[tuple[str, str, str]] = []
    indexes: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(qn(n) for n in names)}")
        cursor.execute(_OWNED, [names])
        owned = bool(cursor.fetchone()[0])  # the runtime role owns nothing: keep them
        if owned:
            cursor.execute(_CONSTRAINTS, [names])
            constraints = cursor.fetchall()
            cursor.execute(_INDEXES, [names])
            indexes = cursor.fetchall()
        for table, name, _ in constraints:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {qn(name)}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    if not owned:
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for table, name, definition in constraints:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {qn(name)} {definition}")
        for _, definition in indexes:
            cursor.execute(definition)
