"""The SQL of ``haochaping db roles`` (docs/security.md "Database roles"). Pure: names
and tables are passed in; the statements find the schema's objects themselves, so the
printed script can be reviewed and run with psql by a database administrator.

Two roles:

- the **owner** owns the database's schema and every table, sequence and function in it;
  migrations (``haochaping migrate``) run as the owner, the application never does;
- the **runtime** role (web and worker processes) owns nothing, so it can neither drop nor
  disable a trigger nor alter a table. It may read and write the ordinary tables; on an
  insert-only table (core.records: ratings, audit events, published snapshots) it may
  SELECT and INSERT, and UPDATE only the table's marker columns — no other UPDATE, no
  DELETE, no TRUNCATE. ``django_migrations`` is read-only to it.

The guard triggers refuse the same changes to every role (they hold on SQLite too, where
roles do not exist); the grants add a second wall the runtime role cannot take down.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
READ_ONLY = ("django_migrations",)
DML = "SELECT, INSERT, UPDATE, DELETE, TRUNCATE"


@dataclass(frozen=True)
class Protected:
    table: str
    markers: tuple[str, ...]  # columns the runtime role may UPDATE


def role_name(name: str) -> str:
    """A role name as written unquoted (lower case): ValueError otherwise."""
    if not ROLE_NAME.match(name):
        raise ValueError(f"role name {name!r}: 1-63 lower-case letters, digits or '_', "
                         "not starting with a digit")
    return name


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _create(name: str, inherit: bool) -> str:
    attributes = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
    attributes += "" if inherit else " NOINHERIT"
    literal = "'" + name + "'"
    return (f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {literal}) "
            f"THEN CREATE ROLE {_quoted(name)} {attributes}; END IF; END $$;\n"
            f"ALTER ROLE {_quoted(name)} {attributes};")


def _owned_by(owner: str, schema: str) -> str:
    """Hand every table, view, sequence not owned by a column, and function of the
    schema to the owner (ALTER TABLE carries a table's identity sequences along)."""
    literal = "'" + schema + "'"
    return f"""DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = {literal} AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                               AND d.objid = c.oid AND d.deptype IN ('a', 'i'))
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO %I',
                       CASE WHEN r.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
                       r.name, {"'" + owner + "'"});
    END LOOP;
    FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p
             JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = {literal}
    LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO %I', r.name, {"'" + owner + "'"});
    END LOOP;
END $$;"""


def roles_sql(*, database: str, owner: str, runtime: str,
              protected: Iterable[Protected], schema: str = "public") -> list[str]:
    """The statements, in order; idempotent (run again after every migrate)."""
    owner, runtime = role_name(owner), role_name(runtime)
    if owner == runtime:
        raise ValueError("the owner and the runtime role must be two roles")
    db, own, run, sch = _quoted(database), _quoted(owner), _quoted(runtime), _quoted(schema)
    statements = [
        _create(owner, inherit=True),
        _create(runtime, inherit=False),
        f"ALTER DATABASE {db} OWNER TO {own};",
        f"ALTER SCHEMA {sch} OWNER TO {own};",
        _owned_by(owner, schema),
        f"REVOKE CREATE ON SCHEMA {sch} FROM PUBLIC;",
        f"REVOKE ALL ON SCHEMA {sch} FROM {run};",
        f"GRANT USAGE ON SCHEMA {sch} TO {run};",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {run};",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {sch} FROM {run};",
        f"GRANT {DML} ON ALL TABLES IN SCHEMA {sch} TO {run};",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {sch} FROM {run};",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {sch} TO {run};",
        # Tables a later migration creates: ordinary grants until this script runs again.
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {own} IN SCHEMA {sch} GRANT {DML} ON TABLES "
        f"TO {run};",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {own} IN SCHEMA {sch} GRANT USAGE, SELECT "
        f"ON SEQUENCES TO {run};",
    ]
    for table in READ_ONLY:
        statements += [f"REVOKE ALL ON {sch}.{_quoted(table)} FROM {run};",
                       f"GRANT SELECT ON {sch}.{_quoted(table)} TO {run};"]
    for guarded in protected:
        name = f"{sch}.{_quoted(guarded.table)}"
        statements += [f"REVOKE ALL ON {name} FROM {run};",
                       f"GRANT SELECT, INSERT ON {name} TO {run};"]
        if guarded.markers:
            columns = ", ".join(_quoted(c) for c in guarded.markers)
            statements.append(f"GRANT UPDATE ({columns}) ON {name} TO {run};")
    return statements
