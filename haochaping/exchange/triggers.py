"""Database triggers that write the upward outbox in the writer's transaction.

Every exchanged change — a rating inserted (a default rating too), a rating invalidated, a
handling inserted or changed in a field the remotes receive (or one of its stages, when
the stage table exists), a bad review's work order closed — inserts one outbox row per
remote that receives the kind (``exchange_remoteroute``), whoever writes it (a service, a
bulk statement, COPY, the admin). The change and its row commit together or not at all:
nothing is lost between a commit and a queue, and nothing is queued for a rolled-back
write. Installed by migration ``exchange 0002``; the SQL lives here so tests can read it.

One INSERT … SELECT per write, over the route table (a few rows): a write no remote
wants inserts nothing. The rating hot path's UPDATE of the handling's ``rated_at`` and the
sweeps' deadline columns fire nothing (the handling trigger's WHEN lists the exchanged
columns only).

The idempotency key is ``kind:object id:event:version`` (``rules.canonical.record_key``).
Ratings and orders change once per event (version 1); a handling's versions count its
exchanged changes per remote (the next one is read under the handling's row lock, which
the writer holds, so two changes of one handling never take the same version), and the
unique ``exchange_outbox_once`` makes a repeat of the same change a no-op
(``ON CONFLICT DO NOTHING`` / ``INSERT OR IGNORE``).

The row's day is the record's Shanghai day (``AT TIME ZONE 'Asia/Shanghai'`` on
PostgreSQL, ``+8 hours`` on SQLite, as ``stats.triggers``); its moment (created, first
due) is the time the writer stamped on the change, so a test's travelled clock and the
database agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from haochaping.exchange.rules.canonical import Event, Kind

TABLE = "exchange_outboxrecord"
ROUTES = "exchange_remoteroute"
STAGE_TABLE = "handlings_handlingstage"  # handlings.HandlingStage (stages branch), when present

# Handling columns a remote receives: a change of any of them is a new version. Not
# rated_at (the rating hot path), not the sweep deadlines, not content_hash/updated_at.
HANDLING_COLUMNS = ("proj_no", "status", "accepted_at", "completed_at", "org_id", "matter_id",
                    "staff_id", "rater_id")
# A withdrawn handling has no national status (rules.delivery.HANDLING_STATUS).
WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Emit:
    """One trigger: on ``op`` of ``table`` (when ``when`` holds), the change of one
    object. ``source`` selects its id (oid), org, day moment (dm) and moment (m)."""

    name: str
    table: str
    op: str  # "INSERT" | "UPDATE"
    kind: Kind
    event: Event
    source: str
    when: str = ""  # over NEW / OLD, portable SQL; "" = always
    versioned: bool = False
    of_columns: tuple[str, ...] = ()  # UPDATE OF …: fire only when these are set


def _handling_source(row: str = "NEW") -> str:
    return (f"SELECT {row}.id AS oid, {row}.org_id AS org, "
            f"COALESCE({row}.completed_at, {row}.accepted_at) AS dm, {row}.updated_at AS m")


def _changed(columns: tuple[str, ...], vendor: str) -> str:
    if vendor == "postgresql":
        return (f"({', '.join(f'OLD.{c}' for c in columns)}) IS DISTINCT FROM "
                f"({', '.join(f'NEW.{c}' for c in columns)})")
    return "(" + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns) + ")"


def emits(vendor: str, *, with_stages: bool) -> list[Emit]:
    not_withdrawn = f"NEW.status <> '{WITHDRAWN}'"
    closed_bad = "NEW.status = 'closed' AND NEW.kind = 'bad_review'"
    order_source = ("SELECT NEW.id AS oid, NEW.org_id AS org, "
                    "COALESCE(NEW.closed_at, NEW.updated_at) AS dm, "
                    "COALESCE(NEW.closed_at, NEW.updated_at) AS m")
    was_open = ("OLD.status IS DISTINCT FROM 'closed'" if vendor == "postgresql"
                else "OLD.status IS NOT 'closed'")
    found = [
        Emit("rating_insert", "evaluations_evaluation", "INSERT", Kind.RATING, Event.SAVED,
             "SELECT NEW.id AS oid, NEW.org_id AS org, NEW.created_at AS dm, "
             "NEW.created_at AS m"),
        Emit("rating_invalidate", "evaluations_evaluation", "UPDATE", Kind.RATING,
             Event.INVALIDATED,
             "SELECT NEW.id AS oid, NEW.org_id AS org, NEW.invalidated_at AS dm, "
             "NEW.invalidated_at AS m",
             when="OLD.invalidated_at IS NULL AND NEW.invalidated_at IS NOT NULL",
             of_columns=("invalidated_at",)),
        Emit("handling_insert", "handlings_handling", "INSERT", Kind.HANDLING, Event.SAVED,
             _handling_source(), when=not_withdrawn, versioned=True),
        Emit("handling_update", "handlings_handling", "UPDATE", Kind.HANDLING, Event.SAVED,
             _handling_source(),
             when=f"{not_withdrawn} AND {_changed(HANDLING_COLUMNS, vendor)}", versioned=True),
        # Versioned: an order reopened (a spot check's 整改不实, the rater's dissent) and
        # closed again leaves its new result as the next version, not a duplicate key the
        # outbox would drop.
        Emit("result_insert", "workorders_workorder", "INSERT", Kind.RESULT, Event.CLOSED,
             order_source, when=closed_bad, versioned=True),
        Emit("result_close", "workorders_workorder", "UPDATE", Kind.RESULT, Event.CLOSED,
             order_source, when=f"{closed_bad} AND {was_open}", of_columns=("status",),
             versioned=True),
    ]
    if with_stages:
        # A stage reported, or changed, is a new version of its handling.
        stage_source = (f"{_handling_source('h')} FROM handlings_handling h "
                        f"WHERE h.id = NEW.handling_id AND h.status <> '{WITHDRAWN}'")
        found += [Emit(f"stage_{op.lower()}", STAGE_TABLE, op, Kind.HANDLING, Event.SAVED,
                       stage_source, versioned=True) for op in ("INSERT", "UPDATE")]
    return found


def _insert(emit: Emit, vendor: str) -> str:
    """The one INSERT … SELECT of a trigger: a row per remote routed for the kind."""
    kind, event = emit.kind.value, emit.event.value
    version = "1"
    if emit.versioned:
        version = (f"(SELECT COALESCE(MAX(o.version), 0) + 1 FROM {TABLE} o "  # noqa: S608
                   f"WHERE o.remote_id = r.remote_id AND o.kind = '{kind}' "
                   f"AND o.object_id = src.oid AND o.event = '{event}')")
    day = ("(s.dm AT TIME ZONE 'Asia/Shanghai')::date" if vendor == "postgresql"
           else "date(s.dm, '+8 hours')")
    verb, tail = (("INSERT", " ON CONFLICT DO NOTHING") if vendor == "postgresql"
                  else ("INSERT OR IGNORE", ""))
    return (f"{verb} INTO {TABLE} (remote_id, kind, object_id, event, version, record_key, "
            "org_id, day, status, attempts, next_attempt_at, error_code, last_error, "
            "created_at) "
            f"SELECT s.remote_id, '{kind}', s.oid, '{event}', s.v, "
            f"'{kind}:' || s.oid || ':{event}:' || s.v, s.org, {day}, 'pending', 0, s.m, "
            "'', '', s.m "
            f"FROM (SELECT r.remote_id AS remote_id, src.oid AS oid, src.org AS org, "
            f"src.dm AS dm, src.m AS m, {version} AS v "
            f"FROM {ROUTES} r, ({emit.source}) src WHERE r.kind = '{kind}') s{tail};")


def _name(emit: Emit) -> str:
    return f"exchange_outbox_{emit.name}"


def _timing(emit: Emit) -> str:
    of = f" OF {', '.join(emit.of_columns)}" if emit.of_columns else ""
    return f"AFTER {emit.op}{of} ON {emit.table} FOR EACH ROW"


def _postgres_install(found: list[Emit]) -> list[str]:
    statements = []
    for emit in found:
        name = _name(emit)
        when = f" WHEN ({emit.when})" if emit.when else ""
        # A stage's writer holds no lock on its handling: take it, so two stages of one
        # handling written at once read the next version one after the other.
        lock = ("PERFORM 1 FROM handlings_handling WHERE id = NEW.handling_id FOR UPDATE; "
                if emit.table == STAGE_TABLE else "")
        statements += [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {lock}{_insert(emit, 'postgresql')} RETURN NULL; END; $$",
            f"DROP TRIGGER IF EXISTS {name} ON {emit.table}",
            f"CREATE TRIGGER {name} {_timing(emit)}{when} EXECUTE FUNCTION {name}()"]
    return statements


def _sqlite_install(found: list[Emit]) -> list[str]:
    statements = []
    for emit in found:
        name = _name(emit)
        when = f" WHEN {emit.when}" if emit.when else ""
        statements += [f"DROP TRIGGER IF EXISTS {name}",
                       f"CREATE TRIGGER {name} {_timing(emit)}{when} "
                       f"BEGIN {_insert(emit, 'sqlite')} END"]
    return statements


def _all_names(vendor: str) -> list[tuple[str, str]]:
    return [(_name(e), e.table) for e in emits(vendor, with_stages=True)]


def _run(connection: Any, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _has_stages(connection: Any) -> bool:
    with connection.cursor() as cursor:
        return STAGE_TABLE in connection.introspection.table_names(cursor)


def install(connection: Any) -> None:
    """Create (or replace) the triggers, the stage table's too when it exists (a later
    migration calls this again once it does). PostgreSQL and SQLite."""
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"outbox triggers: unsupported database {vendor!r} "
                                  "(PostgreSQL and SQLite only)")
    found = emits(vendor, with_stages=_has_stages(connection))
    _run(connection, _postgres_install(found) if vendor == "postgresql"
         else _sqlite_install(found))


def remove(connection: Any) -> None:
    """Drop the triggers (idempotent)."""
    vendor = connection.vendor
    if vendor == "postgresql":
        tables = set(connection.introspection.table_names())
        statements = [f"DROP TRIGGER IF EXISTS {name} ON {table}"
                      for name, table in _all_names(vendor) if table in tables]
        statements += [f"DROP FUNCTION IF EXISTS {name}()" for name, _ in _all_names(vendor)]
    else:
        statements = [f"DROP TRIGGER IF EXISTS {name}" for name, _ in _all_names(vendor)]
    _run(connection, statements)


def installed(connection: Any) -> set[str]:
    """The outbox triggers present in the database (tests, the start-up check)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'exchange_outbox_%'")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                           "AND name LIKE 'exchange_outbox_%'")
        return {row[0] for row in cursor.fetchall()}
