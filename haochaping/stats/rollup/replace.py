"""Replace a range of roll-up rows by what a query computes, writing only the difference.

A rebuild of roll-ups that are already right (the nightly repair, a month rebuilt again)
would otherwise delete and re-insert every row with its index entries: on PostgreSQL the
fresh rows go to a temporary table first, then only the stored rows that differ are
deleted and only the fresh rows not stored are inserted (two hash anti-joins over all
columns). SQLite deletes the range and inserts, as before.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection, models

FRESH = "stats_fresh_rows"


def _same(model: type[models.Model], columns: list[str]) -> str:
    """Column-by-column equality of ``t`` and ``f``, NULL equal to NULL (hashable: a
    COALESCE to a value no key takes, not IS NOT DISTINCT FROM)."""
    qn = connection.ops.quote_name
    terms = []
    for column in columns:
        field = model._meta.get_field(column)
        if getattr(field, "null", False):
            none = "''" if isinstance(field, models.CharField) else "-1"
            terms.append(f"COALESCE(t.{qn(column)}, {none}) = COALESCE(f.{qn(column)}, {none})")
        else:
            terms.append(f"t.{qn(column)} = f.{qn(column)}")
    return " AND ".join(terms)


def replace_rows(model: type[models.Model], columns: list[str], select: str,
                 params: list[Any], lo: date, hi: date, order: int) -> None:
    """Make ``model``'s rows of the days [lo, hi) exactly the rows ``select`` returns (its
    output columns are ``columns``, in order; the first ``order`` are the key, inserted
    in key order)."""
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    names = ", ".join(qn(c) for c in columns)
    keys = ", ".join(qn(c) for c in columns[:order])
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            model._default_manager.filter(day__gte=lo, day__lt=hi).delete()
            cursor.execute(f"INSERT INTO {table} ({names}) "  # noqa: S608
                           f"SELECT * FROM ({select}) AS s", params)
            return
        same = _same(model, columns)
        cursor.execute(f"DROP TABLE IF EXISTS {FRESH}")
        cursor.execute(f"CREATE TEMP TABLE {FRESH} ({names}) ON COMMIT DROP AS {select}",
                       params)
        cursor.execute(f"ANALYZE {FRESH}")
        cursor.execute(f"DELETE FROM {table} AS t WHERE t.day >= %s AND t.day < %s "  # noqa: S608
                       f"AND NOT EXISTS (SELECT 1 FROM {FRESH} AS f WHERE {same})", [lo, hi])
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {FRESH} AS f "  # noqa: S608
                       f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WHERE t.day >= %s "
                       f"AND t.day < %s AND {same}) ORDER BY {keys}", [lo, hi])
        cursor.execute(f"DROP TABLE {FRESH}")
