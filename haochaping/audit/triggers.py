"""Database triggers that make ``audit_auditevent`` append-only.

Installed by migration ``audit 0002_append_only_triggers``; the SQL lives here so the
tests can drop and re-create the triggers the same way. Changing this SQL needs a new
migration that re-installs it, because applied migrations do not run again.

The triggers stop every UPDATE and DELETE that goes through SQL — the application, a
stray ORM call, an operator's psql session. A database owner can still drop them; the
hash chain (``haochaping audit verify``) and an external anchor detect what they do.
"""

from __future__ import annotations

from typing import Any

from haochaping.core.records import InsertOnly

TABLE = "audit_auditevent"
# UPDATE and DELETE are refused by the triggers below; the guard of core.records adds the
# refusal of TRUNCATE on PostgreSQL (migration audit 0005; TRUNCATE fires no row trigger).
GUARD = InsertOnly(table=TABLE, row_triggers=False)
MESSAGE = "audit_auditevent is append-only"

_POSTGRES_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP;
    END;
    $$
    """,
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"""
    CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()
    """,
]
_POSTGRES_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_append_only()",
]

_SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END
    """,
]
_SQLITE_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete",
]

INSTALL = {"postgresql": _POSTGRES_INSTALL, "sqlite": _SQLITE_INSTALL}
REMOVE = {"postgresql": _POSTGRES_REMOVE, "sqlite": _SQLITE_REMOVE}


def _run(connection: Any, statements: dict[str, list[str]]) -> None:
    if connection.vendor not in statements:
        raise NotImplementedError(f"append-only triggers: unsupported database "
                                  f"{connection.vendor!r} (PostgreSQL and SQLite only)")
    with connection.cursor() as cursor:
        for sql in statements[connection.vendor]:
            cursor.execute(sql)


def install(connection: Any) -> None:
    """Create the triggers (idempotent)."""
    _run(connection, INSTALL)


def remove(connection: Any) -> None:
    """Drop the triggers (idempotent). Only migrations and tests call this."""
    _run(connection, REMOVE)


def installed(connection: Any) -> bool:
    """Whether every trigger of this vendor exists."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = %s AND NOT tgisinternal",
                           [f"{TABLE}_append_only"])
            return bool(cursor.fetchone()[0] == 1)
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
                       "(%s, %s)", [f"{TABLE}_no_update", f"{TABLE}_no_delete"])
        return bool(cursor.fetchone()[0] == 2)
