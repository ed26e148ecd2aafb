"""Shared machinery of the entity importers: scope checks, prefetched look-ups, the plan.

Nothing here saves one row at a time: look-ups are fetched per chunk of codes, and a
:class:`Plan` is applied with ``bulk_create`` / ``bulk_update`` in batches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Model

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, require
from haochaping.catalog.importing.table import Row, Sheet
from haochaping.core.errors import PermissionDenied

CHUNK = 2000  # codes per IN (...) look-up
BATCH = 2000  # rows per INSERT / UPDATE statement


def chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def fetch_by(model: type[Model], field_name: str, keys: Iterable[str | None],
             *columns: str) -> dict[str, tuple[Any, ...]]:
    """``{key: (col, ...)}`` for the rows whose ``field_name`` is in ``keys``."""
    wanted = sorted({k for k in keys if k})
    found: dict[str, tuple[Any, ...]] = {}
    for part in chunks(wanted):
        rows = model._default_manager.filter(**{f"{field_name}__in": part}).values_list(
            field_name, *columns)
        for key, *rest in rows:
            found[key] = tuple(rest)
    return found


def update_rows(model: type[Model], instances: list[Any], names: list[str]) -> None:
    """Write ``names`` of many rows in few statements.

    PostgreSQL: ``UPDATE ... FROM (VALUES ...)`` per batch; elsewhere one prepared
    ``UPDATE ... WHERE id = %s`` run with ``executemany``. Django's ``bulk_update`` builds
    a ``CASE WHEN`` per field and batch, which costs more than the rows themselves here.
    """
    meta = model._meta
    fields: list[Any] = [meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    pk = quote(meta.pk.column)
    prepared = [[*(f.get_db_prep_save(getattr(i, f.attname), connection) for f in fields),
                 i.pk] for i in instances]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            casts = ", ".join(f"%s::{f.cast_db_type(connection)}" for f in fields)
            sets = ", ".join(f"{quote(f.column)} = v.c{n}" for n, f in enumerate(fields))
            aliases = ", ".join(f"c{n}" for n in range(len(fields)))
            for part in chunks(prepared, BATCH // 2):
                rows = ", ".join(f"({casts}, %s::bigint)" for _ in part)
                cursor.execute(
                    f"UPDATE {quote(meta.db_table)} AS t SET {sets} FROM (VALUES {rows}) "
                    f"AS v({aliases}, id) WHERE t.{pk} = v.id",
                    [value for row in part for value in row])
            return
        assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {pk} = %s"
        for part in chunks(prepared, BATCH):
            cursor.executemany(sql, part)


def insert_rows(model: type[Model], rows: list[dict[str, Any]]) -> None:
    """Insert plain rows (``{attname: value}``, model defaults for the rest).

    PostgreSQL: ``COPY ... FROM STDIN``; elsewhere one prepared INSERT per batch
    (``executemany``). Only for rows whose ids nobody needs back.
    """
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = [(f.attname, f.get_default()) for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = ([row.get(name, default) for name, default in defaults] for row in rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
            return
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"
        batch: list[list[Any]] = []
        for value in values:
            batch.append(value)
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


@dataclass
class Plan:
    model: type[Model]
    creates: list[Model] = field(default_factory=list)
    create_rows: list[dict[str, Any]] = field(default_factory=list)  # via insert_rows
    updates: list[Model] = field(default_factory=list)
    update_fields: list[str] = field(default_factory=list)
    unchanged: int = 0
    after: list[Callable[[], None]] = field(default_factory=list)  # run after the writes

    @property
    def created(self) -> int:
        return len(self.creates) + len(self.create_rows)

    def apply(self) -> None:
        if self.creates:
            self.model._default_manager.bulk_create(self.creates, batch_size=BATCH)
        if self.create_rows:
            insert_rows(self.model, self.create_rows)
        if self.updates and self.update_fields:
            update_rows(self.model, self.updates, self.update_fields)
        for step in self.after:
            step()


class Context:
    """One import run: the actor, the parsed sheet and a cache of scope decisions."""

    def __init__(self, actor: Actor, sheet: Sheet) -> None:
        self.actor = actor
        self.sheet = sheet
        self._allowed: dict[str, bool] = {}

    def error(self, row: Row, key: str, code: str, message: str) -> None:
        row.ok = False
        self.sheet.problem(row.number, key, code, message)

    def header(self, key: str) -> str:
        return self.sheet.headers.get(key, key)

    def allowed(self, org_path: str) -> bool:
        decision = self._allowed.get(org_path)
        if decision is None:
            try:
                require(self.actor, access.CATALOG, access.WRITE, org_path)
                decision = True
            except PermissionDenied:
                decision = False
            self._allowed[org_path] = decision
        return decision

    def check_scope(self, row: Row, key: str, org_path: str) -> None:
        if not self.allowed(org_path):
            self.error(row, key, "import.forbidden_scope", "机构不在本人管辖范围内，无权导入")

    def unknown(self, row: Row, key: str, value: str) -> None:
        self.error(row, key, "import.unknown_reference", f"{self.header(key)}“{value}”不存在")

    def first_rows(self, key_of: Callable[[Row], Any], key_column: str) -> dict[Any, Row]:
        """The rows by key; a repeated key is an error on the later row."""
        seen: dict[Any, Row] = {}
        for row in self.sheet.rows:
            key = key_of(row)
            if key is None:
                continue
            first = seen.get(key)
            if first is not None:
                self.error(row, key_column, "import.duplicate",
                           f"与第 {first.number} 行重复")
                continue
            seen[key] = row
        return seen


def changed_fields(instance: Model, attrs: dict[str, Any]) -> bool:
    """Set ``attrs`` on ``instance``; True when any value differs."""
    changed = False
    for name, value in attrs.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def field_names(sheet: Sheet, mapping: dict[str, str]) -> list[str]:
    """Model fields written by an update: the columns present in the file."""
    return [mapping.get(column.key, column.key) for column in sheet.present]
