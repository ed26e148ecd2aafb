"""Database triggers that record the roll-up buckets a write changes (dirty buckets).

Every write of a raw row the roll-ups count — a rating, a handling, a work order, its
call-backs and appeals — inserts the (Shanghai day, org) buckets it changes into
``stats_dirtybucket`` in the same transaction, whoever sends it (a service, a bulk
statement, the admin). The incremental tick (``stats.services.rollup_tick``) claims them.
Installed by migration ``stats 0008``; the SQL lives here so tests can check it.

Only changes of the columns a roll-up reads fire (the UPDATE triggers' WHEN): the rating
hot path's UPDATE of the handling's ``rated_at`` fires nothing, its INSERT of the rating
marks the rating's bucket and its handling's (one index probe of the handling row,
already in cache). An UPDATE marks the bucket the row leaves and the one it enters: a
redispatched order, a handling corrected to another org or day. A handling's hall,
window, staff and matter are its work orders' keys too, so a correction marks its orders.
Raw rows are never deleted by the application (evaluations are insert-only, handlings
and orders change status), so there are no DELETE triggers; the nightly
``stats.rebuild_recent`` still repairs anything written with triggers off (the bench
generator's ``session_replication_role = replica``).

The day is the Shanghai calendar day: ``AT TIME ZONE 'Asia/Shanghai'`` on PostgreSQL;
``+8 hours`` on SQLite (Django stores UTC text; China has kept UTC+8 without daylight
saving since 1991, before any row of this platform).
"""

from __future__ import annotations

from typing import Any

TABLE = "stats_dirtybucket"

# table → (columns whose change moves a roll-up, how to find the buckets of a row,
#          given the alias NEW or OLD)
EVALUATION_COLUMNS = ("created_at", "org_id", "hall_id", "window_id", "staff_id",
                      "matter_id", "channel", "level", "is_default", "is_current",
                      "invalidated_at", "handling_id")
HANDLING_COLUMNS = ("status", "completed_at", "org_id", "hall_id", "window_id", "staff_id",
                    "matter_id")
ORDER_COLUMNS = ("created_at", "org_id", "handling_id", "kind", "status", "overdue_at")


def _pg_marks(row: str, table: str) -> list[str]:
    """plpgsql statements marking the buckets of ``row`` (NEW or OLD) of ``table``."""
    own = f"PERFORM stats_mark_dirty({row}.%s, {row}.org_id);"
    if table == "evaluations_evaluation":
        return [own % "created_at",
                "PERFORM stats_mark_dirty(h.completed_at, h.org_id) FROM handlings_handling h "
                f"WHERE h.id = {row}.handling_id;"]
    if table == "handlings_handling":
        return [own % "completed_at",
                "PERFORM stats_mark_dirty(w.created_at, w.org_id) FROM workorders_workorder w "
                f"WHERE w.handling_id = {row}.id;"]
    if table == "workorders_workorder":
        return [own % "created_at"]
    return ["PERFORM stats_mark_dirty(w.created_at, w.org_id) FROM workorders_workorder w "
            f"WHERE w.id = {row}.order_id;"]


def _sqlite_marks(row: str, table: str) -> list[str]:
    insert = f"INSERT OR IGNORE INTO {TABLE} (day, org_id, writer) "
    if table == "evaluations_evaluation":
        return [f"{insert}SELECT date({row}.created_at, '+8 hours'), {row}.org_id, 0;",
                f"{insert}SELECT date(h.completed_at, '+8 hours'), h.org_id, 0 "
                f"FROM handlings_handling h WHERE h.id = {row}.handling_id "
                "AND h.completed_at IS NOT NULL;"]
    if table == "handlings_handling":
        return [f"{insert}SELECT date({row}.completed_at, '+8 hours'), {row}.org_id, 0 "
                f"WHERE {row}.completed_at IS NOT NULL;",
                f"{insert}SELECT date(w.created_at, '+8 hours'), w.org_id, 0 "
                f"FROM workorders_workorder w WHERE w.handling_id = {row}.id;"]
    if table == "workorders_workorder":
        return [f"{insert}SELECT date({row}.created_at, '+8 hours'), {row}.org_id, 0;"]
    return [f"{insert}SELECT date(w.created_at, '+8 hours'), w.org_id, 0 "
            f"FROM workorders_workorder w WHERE w.id = {row}.order_id;"]


# table → (short name, columns whose change fires the UPDATE trigger)
WATCHED: dict[str, tuple[str, tuple[str, ...]]] = {
    "evaluations_evaluation": ("evaluation", EVALUATION_COLUMNS),
    "handlings_handling": ("handling", HANDLING_COLUMNS),
    "workorders_workorder": ("workorder", ORDER_COLUMNS),
    "workorders_callback": ("callback", ("order_id",)),
    "workorders_appeal": ("appeal", ("order_id", "ruling")),
}


def _postgres_install() -> list[str]:
    statements = [f"""
    CREATE OR REPLACE FUNCTION stats_mark_dirty(moment timestamptz, org bigint) RETURNS void
    LANGUAGE sql AS $$
        INSERT INTO {TABLE} (day, org_id, writer)
        SELECT (moment AT TIME ZONE 'Asia/Shanghai')::date, org, txid_current()
        WHERE moment IS NOT NULL AND org IS NOT NULL
        ON CONFLICT DO NOTHING
    $$"""]
    for table, (short, columns) in WATCHED.items():
        old = "\n".join(_pg_marks("OLD", table))
        new = "\n".join(_pg_marks("NEW", table))
        statements += [f"""
        CREATE OR REPLACE FUNCTION stats_dirty_{short}() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN
                {old}
            END IF;
            {new}
            RETURN NULL;
        END;
        $$""",
            f"DROP TRIGGER IF EXISTS stats_dirty_{short}_insert ON {table}",
            f"DROP TRIGGER IF EXISTS stats_dirty_{short}_update ON {table}",
            f"CREATE TRIGGER stats_dirty_{short}_insert AFTER INSERT ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION stats_dirty_{short}()",
            f"CREATE TRIGGER stats_dirty_{short}_update AFTER UPDATE ON {table} FOR EACH ROW "
            f"WHEN (({', '.join(f'OLD.{c}' for c in columns)}) IS DISTINCT FROM "
            f"({', '.join(f'NEW.{c}' for c in columns)})) "
            f"EXECUTE FUNCTION stats_dirty_{short}()"]
    return statements


def _postgres_remove() -> list[str]:
    statements = []
    for table, (short, _) in WATCHED.items():
        statements += [f"DROP TRIGGER IF EXISTS stats_dirty_{short}_insert ON {table}",
                       f"DROP TRIGGER IF EXISTS stats_dirty_{short}_update ON {table}",
                       f"DROP FUNCTION IF EXISTS stats_dirty_{short}()"]
    return [*statements, "DROP FUNCTION IF EXISTS stats_mark_dirty(timestamptz, bigint)"]


def _sqlite_install() -> list[str]:
    statements = []
    for table, (short, columns) in WATCHED.items():
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
        old, new = " ".join(_sqlite_marks("OLD", table)), " ".join(_sqlite_marks("NEW", table))
        statements += [
            f"DROP TRIGGER IF EXISTS stats_dirty_{short}_insert",
            f"DROP TRIGGER IF EXISTS stats_dirty_{short}_update",
            f"CREATE TRIGGER stats_dirty_{short}_insert AFTER INSERT ON {table} "
            f"BEGIN {new} END",
            f"CREATE TRIGGER stats_dirty_{short}_update AFTER UPDATE ON {table} "
            f"WHEN {changed} BEGIN {old} {new} END"]
    return statements


def _sqlite_remove() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS stats_dirty_{short}_{op}"
            for short, _ in WATCHED.values() for op in ("insert", "update")]


def _run(connection: Any, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install(connection: Any) -> None:
    """Create (or replace) the triggers; PostgreSQL and SQLite."""
    if connection.vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"dirty-bucket triggers: unsupported database "
                                  f"{connection.vendor!r} (PostgreSQL and SQLite only)")
    _run(connection, _postgres_install() if connection.vendor == "postgresql"
         else _sqlite_install())


def remove(connection: Any) -> None:
    """Drop the triggers (idempotent)."""
    _run(connection, _postgres_remove() if connection.vendor == "postgresql"
         else _sqlite_remove())
