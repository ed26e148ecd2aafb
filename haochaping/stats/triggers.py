"""Database triggers that record the roll-up buckets a write changes (dirty buckets).

Every write of a raw row the roll-ups count — a rating, a handling, a work order, its
call-backs and appeals, an item of the complaints app and its spot checks — inserts the
(Shanghai day, org) buckets it changes into ``stats_dirtybucket`` in the same
transaction, whoever sends it (a service, a bulk statement, the admin). The incremental
tick (``stats.services.rollup_tick``) claims them. Installed by migration ``stats 0008``
(the complaints tables by ``0011``); the SQL lives here so tests can check it.

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

# Columns whose change moves a row in or out of a roll-up row (the UPDATE triggers' WHEN).
EVALUATION_COLUMNS = ("created_at", "org_id", "hall_id", "window_id", "staff_id",
                      "matter_id", "channel", "level", "is_default", "is_current",
                      "invalidated_at", "handling_id")
HANDLING_COLUMNS = ("status", "completed_at", "org_id", "hall_id", "window_id", "staff_id",
                    "matter_id")
ORDER_COLUMNS = ("created_at", "org_id", "handling_id", "kind", "status", "overdue_at")
# 诉求件 (complaints app): an item counts on the days it was received and closed and its
# spot checks on the day called, under the org it is attributed to (its order's, else its
# subject org, else its office: stats.rollup.item_sources), so a change of its order (a
# re-dispatch, a late clock) marks the item's buckets too.
SUBMISSION_COLUMNS = ("received_at", "closed_at", "status", "kind", "org_id", "office_id",
                      "order_id", "matter_id", "hall_id", "window_id", "staff_id")
SPOTCHECK_COLUMNS = ("called_at", "reached", "satisfied", "submission_id")


def _attributed(row: str) -> str:
    return (f"COALESCE((SELECT w.org_id FROM workorders_workorder w WHERE w.id = "
            f"{row}.order_id), {row}.org_id, {row}.office_id)")


def _sources(row: str, table: str) -> list[str]:
    """SELECTs of the (moment, org) pairs whose buckets ``row`` (NEW or OLD) of ``table``
    counts in: its own, and those of the rows whose counts it is part of."""
    if table == "evaluations_evaluation":
        return [f"SELECT {row}.created_at AS m, {row}.org_id AS o",
                "SELECT h.completed_at AS m, h.org_id AS o FROM handlings_handling h "
                f"WHERE h.id = {row}.handling_id"]
    if table == "handlings_handling":
        return [f"SELECT {row}.completed_at AS m, {row}.org_id AS o",
                "SELECT w.created_at AS m, w.org_id AS o FROM workorders_workorder w "
                f"WHERE w.handling_id = {row}.id"]
    if table == "workorders_workorder":
        return [f"SELECT {row}.created_at AS m, {row}.org_id AS o",
                f"SELECT s.received_at AS m, {row}.org_id AS o FROM complaints_submission s "
                f"WHERE s.order_id = {row}.id",
                f"SELECT s.closed_at AS m, {row}.org_id AS o FROM complaints_submission s "
                f"WHERE s.order_id = {row}.id",
                f"SELECT c.called_at AS m, {row}.org_id AS o FROM complaints_spotcheck c "
                "JOIN complaints_submission s ON s.id = c.submission_id "
                f"WHERE s.order_id = {row}.id"]
    if table == "complaints_submission":
        org = _attributed(row)
        return [f"SELECT {row}.received_at AS m, {org} AS o",
                f"SELECT {row}.closed_at AS m, {org} AS o",
                f"SELECT c.called_at AS m, {org} AS o FROM complaints_spotcheck c "
                f"WHERE c.submission_id = {row}.id"]
    if table == "complaints_spotcheck":
        return [f"SELECT {row}.called_at AS m, COALESCE(w.org_id, s.org_id, s.office_id) AS o "
                "FROM complaints_submission s LEFT JOIN workorders_workorder w "
                f"ON w.id = s.order_id WHERE s.id = {row}.submission_id"]
    return ["SELECT w.created_at AS m, w.org_id AS o FROM workorders_workorder w "
            f"WHERE w.id = {row}.order_id"]


def _insert(rows: list[str], table: str, *, day: str, writer: str, conflict: str) -> str:
    """One INSERT marking every bucket of these row versions (one statement per write)."""
    union = " UNION ALL ".join(select for row in rows for select in _sources(row, table))
    ignore, on_conflict = ("OR IGNORE ", "") if conflict == "ignore" else (
        "", " ON CONFLICT DO NOTHING")
    return (f"INSERT {ignore}INTO {TABLE} (day, org_id, writer) "  # noqa: S608
            f"SELECT DISTINCT {day % 'm'}, o, {writer} FROM ({union}) AS s "
            f"WHERE m IS NOT NULL AND o IS NOT NULL{on_conflict};")


def _pg_insert(rows: list[str], table: str) -> str:
    return _insert(rows, table, day="(%s AT TIME ZONE 'Asia/Shanghai')::date",
                   writer="txid_current()", conflict="do nothing")


def _sqlite_insert(rows: list[str], table: str) -> str:
    return _insert(rows, table, day="date(%s, '+8 hours')", writer="0",
                   conflict="ignore")


# table → (short name, columns whose change fires the UPDATE trigger)
WATCHED: dict[str, tuple[str, tuple[str, ...]]] = {
    "evaluations_evaluation": ("evaluation", EVALUATION_COLUMNS),
    "handlings_handling": ("handling", HANDLING_COLUMNS),
    "workorders_workorder": ("workorder", ORDER_COLUMNS),
    "workorders_callback": ("callback", ("order_id",)),
    "workorders_appeal": ("appeal", ("order_id", "ruling")),
    "complaints_submission": ("submission", SUBMISSION_COLUMNS),
    "complaints_spotcheck": ("spotcheck", SPOTCHECK_COLUMNS),
}


def _postgres_install() -> list[str]:
    # Rows live seconds (inserted by writers, deleted by the next tick): vacuum the table
    # after a few thousand dead rows rather than a fraction of its (tiny) size, so a
    # tick's claim never scans long runs of dead rows.
    statements = [f"ALTER TABLE {TABLE} SET (autovacuum_vacuum_scale_factor = 0, "
                  "autovacuum_vacuum_threshold = 5000, autovacuum_vacuum_cost_delay = 0)"]
    for table, (short, columns) in WATCHED.items():
        statements += [f"""
        CREATE OR REPLACE FUNCTION stats_dirty_{short}() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN
                {_pg_insert(["OLD", "NEW"], table)}
            ELSE
                {_pg_insert(["NEW"], table)}
            END IF;
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
        statements += [
            f"DROP TRIGGER IF EXISTS stats_dirty_{short}_insert",
            f"DROP TRIGGER IF EXISTS stats_dirty_{short}_update",
            f"CREATE TRIGGER stats_dirty_{short}_insert AFTER INSERT ON {table} "
            f"BEGIN {_sqlite_insert(['NEW'], table)} END",
            f"CREATE TRIGGER stats_dirty_{short}_update AFTER UPDATE ON {table} "
            f"WHEN {changed} BEGIN {_sqlite_insert(['OLD', 'NEW'], table)} END"]
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
