"""Insert-only tables (issue 17): ratings, audit events and published ranking snapshots
are written once and never rewritten, removed or emptied — whoever connects.

A model declares it with a class attribute ``insert_only = InsertOnly(...)``; the app's
migration installs the guard triggers (:func:`install`), which refuse, on PostgreSQL and
SQLite alike:

- an UPDATE that changes any column but the declared ``markers`` (one-way lifecycle
  columns such as a rating's ``is_current``), or breaks one of the table's ``rules``;
- every DELETE;
- on PostgreSQL every TRUNCATE (a statement trigger: TRUNCATE fires no row trigger).

The table's owner (or a superuser) can still drop or disable triggers: the runtime role of
``haochaping db roles`` owns nothing and has column-level grants, and the audit chain's
anchors detect what an owner does (docs/security.md). ``db roles`` reads the same
declarations (:func:`insert_only_tables`) for its grants.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps


@dataclass(frozen=True)
class InsertOnly:
    table: str
    # The only columns an UPDATE may change, and the only ones the runtime role may update.
    markers: tuple[str, ...] = ()
    # (condition over OLD/NEW refusing an UPDATE, message); ``{ne}`` is "is distinct from".
    rules: tuple[tuple[str, str], ...] = ()
    # False: the app's own triggers refuse UPDATE and DELETE (the audit log, whose
    # triggers predate this module); the guard then only refuses TRUNCATE.
    row_triggers: bool = True

    @property
    def refused(self) -> str:
        return f"{self.table} is insert-only"


def insert_only_tables() -> list[InsertOnly]:
    """Every declared insert-only table, in the order of the installed apps."""
    found = (getattr(model, "insert_only", None) for model in apps.get_models())
    return [guard for guard in found if isinstance(guard, InsertOnly)]


def _postgres_install(guard: InsertOnly) -> list[str]:
    table = guard.table
    checks = []
    if guard.row_triggers:
        markers = "'{" + ",".join(guard.markers) + "}'::text[]"
        old, new = ("to_jsonb(OLD)", "to_jsonb(NEW)") if not guard.markers else (
            f"(to_jsonb(OLD) - {markers})", f"(to_jsonb(NEW) - {markers})")
        allowed = ", ".join(guard.markers) or "nothing"
        checks.append((f"{new} IS DISTINCT FROM {old}", f"{guard.refused}: only {allowed} "
                       "may change"))
        checks += [(rule.format(ne="IS DISTINCT FROM"), message) for rule, message in guard.rules]
    body = "".join(f"""
            IF {condition} THEN
                RAISE EXCEPTION '{guard.refused}: {message}';
            END IF;""" for condition, message in checks)
    statements = [f"""
    CREATE OR REPLACE FUNCTION {table}_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN{body}
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{guard.refused}: % refused', TG_OP;
    END;
    $$""",
        f"DROP TRIGGER IF EXISTS {table}_guard ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_guard_truncate ON {table}",
        f"CREATE TRIGGER {table}_guard_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_guard()"]
    if guard.row_triggers:
        statements.append(f"CREATE TRIGGER {table}_guard BEFORE UPDATE OR DELETE ON {table} "
                          f"FOR EACH ROW EXECUTE FUNCTION {table}_guard()")
    return statements


def _sqlite_install(guard: InsertOnly, columns: list[str]) -> list[str]:
    table = guard.table
    statements = [f"DROP TRIGGER IF EXISTS {table}_guard_update",
                  f"DROP TRIGGER IF EXISTS {table}_guard_delete"]
    if not guard.row_triggers:
        return statements
    # The column list is read when installing: migrations re-install the guard after
    # every migrate on SQLite (CoreConfig), so a column added later is guarded too.
    content = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns if c not in guard.markers)
    allowed = ", ".join(guard.markers) or "nothing"
    checks = [(content, f"{guard.refused}: only {allowed} may change")]
    checks += [(rule.format(ne="IS NOT"), f"{guard.refused}: {message}")
               for rule, message in guard.rules]
    body = " ".join(f"SELECT RAISE(ABORT, '{message}') WHERE {condition};"
                    for condition, message in checks)
    return [*statements,
            f"CREATE TRIGGER {table}_guard_update BEFORE UPDATE ON {table} BEGIN {body} END",
            f"CREATE TRIGGER {table}_guard_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{guard.refused}: DELETE refused'); END"]


def _run(connection: Any, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install(connection: Any, guard: InsertOnly) -> None:
    """Create (or re-create) the guard triggers of one table."""
    if connection.vendor == "postgresql":
        _run(connection, _postgres_install(guard))
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            columns = [c.name for c in
                       connection.introspection.get_table_description(cursor, guard.table)]
        _run(connection, _sqlite_install(guard, columns))
    else:
        raise NotImplementedError(f"insert-only guard: unsupported database {connection.vendor!r}")


def remove(connection: Any, guard: InsertOnly) -> None:
    """Drop the guard triggers of one table (migrations backwards, tests)."""
    table = guard.table
    if connection.vendor == "postgresql":
        _run(connection, [f"DROP TRIGGER IF EXISTS {table}_guard ON {table}",
                          f"DROP TRIGGER IF EXISTS {table}_guard_truncate ON {table}",
                          f"DROP FUNCTION IF EXISTS {table}_guard()"])
    else:
        _run(connection, [f"DROP TRIGGER IF EXISTS {table}_guard_update",
                          f"DROP TRIGGER IF EXISTS {table}_guard_delete"])


def installed(connection: Any, guard: InsertOnly) -> bool:
    """Whether every guard trigger of the table exists."""
    table = guard.table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = [f"{table}_guard_truncate", *([f"{table}_guard"] if guard.row_triggers else [])]
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass "
                           "AND tgname = ANY(%s) AND tgenabled <> 'D'", [table, names])
            return bool(cursor.fetchone()[0] == len(names))
        if not guard.row_triggers:
            return True
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
                       "(%s, %s)", [f"{table}_guard_update", f"{table}_guard_delete"])
        return bool(cursor.fetchone()[0] == 2)


def reinstall_after_migrate(using: str = "default", **_: Any) -> None:
    """post_migrate on SQLite, which re-creates a table to alter it (dropping its
    triggers): put every guard back, with the table's current columns."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    tables = set(connection.introspection.table_names())
    for guard in insert_only_tables():
        if guard.table in tables:
            install(connection, guard)
