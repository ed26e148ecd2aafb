"""Importers of the entities that are not trees: halls, windows, staff, matters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, Model

from haochaping.catalog.importing.engine import (
    Context,
    Plan,
    changed_fields,
    chunks,
    fetch_by,
    field_names,
)
from haochaping.catalog.importing.table import Row
from haochaping.catalog.models import Hall, Matter, Org, Region, Staff, Window


@dataclass(frozen=True)
class Ref:
    column: str  # the ``<x>_code`` column
    model: type[Model]
    lookup: str  # the referenced model's code field
    attr: str  # the foreign-key attribute written
    path: str  # the org path of the referenced row (for the scope check)
    scoped: bool  # the referenced org must lie in the actor's subtree


ORG_REF = Ref("org_code", Org, "code", "org_id", "path", scoped=True)
REGION_REF = Ref("region_code", Region, "code", "region_id", "path", scoped=False)


class FlatImporter:
    model: type[Model]
    key_column: str
    refs: tuple[Ref, ...]

    def key_of(self, row: Row) -> Any:
        return row.values.get(self.key_column)

    def fetch_existing(self, keys: list[Any]) -> dict[Any, Any]:
        found: dict[Any, Any] = {}
        for part in chunks(keys):
            rows = (self.model.objects  # type: ignore[attr-defined]
                    .filter(**{f"{self.key_column}__in": part})
                    .annotate(scope_path=F("org__path")))
            for instance in rows:
                found[getattr(instance, self.key_column)] = instance
        return found

    def extra_checks(self, ctx: Context, attrs_by_row: list[tuple[Row, dict[str, Any]]],
                     keys: set[Any]) -> None:
        """Cross-row rules of one entity (none by default)."""

    def plan(self, ctx: Context) -> Plan:
        rows = ctx.first_rows(self.key_of, self.key_column)
        refs = {ref.column: ref for ref in self.refs}
        lookups = {
            ref.column: fetch_by(ref.model, ref.lookup,
                                 (r.values.get(ref.column) for r in rows.values()),
                                 "id", ref.path)
            for ref in self.refs
        }
        existing = self.fetch_existing(list(rows))
        mapping = {ref.column: ref.attr for ref in self.refs}
        plan = Plan(self.model, update_fields=[
            name for name in field_names(ctx.sheet, mapping) if name != self.key_column])
        built: list[tuple[Row, dict[str, Any]]] = []
        for key, row in rows.items():
            attrs: dict[str, Any] = {}
            for name, value in row.values.items():
                ref = refs.get(name)
                if ref is None:
                    attrs[name] = value
                elif not value:
                    attrs[ref.attr] = None
                elif (found := lookups[name].get(value)) is None:
                    ctx.unknown(row, name, value)
                else:
                    attrs[ref.attr] = found[0]
                    if ref.scoped:
                        ctx.check_scope(row, name, found[1])
            current = existing.get(key)
            if current is not None:
                ctx.check_scope(row, self.key_column, current.scope_path)
            built.append((row, attrs))
        self.extra_checks(ctx, built, set(rows))
        for row, attrs in built:
            if not row.ok:
                continue
            current = existing.get(self.key_of(row))
            if current is None:
                plan.create_rows.append(attrs)
            elif changed_fields(current, attrs):
                plan.updates.append(current)
            else:
                plan.unchanged += 1
        return plan


class HallImporter(FlatImporter):
    model = Hall
    key_column = "code"
    refs = (ORG_REF, REGION_REF)


class WindowImporter(FlatImporter):
    model = Window
    key_column = "code"
    refs = (ORG_REF, Ref("hall_code", Hall, "code", "hall_id", "org__path", scoped=False))

    def extra_checks(self, ctx: Context, attrs_by_row: list[tuple[Row, dict[str, Any]]],
                     keys: set[Any]) -> None:
        """A window number is unique within its hall (constraint window_number_per_hall)."""
        if "number" not in ctx.sheet.headers:
            return
        taken: dict[tuple[Any, Any], str] = {}
        hall_ids = sorted({a["hall_id"] for _, a in attrs_by_row if a.get("hall_id")})
        for part in chunks(hall_ids):
            for code, hall_id, number in Window.objects.filter(hall_id__in=part).values_list(
                    "code", "hall_id", "number"):
                if code not in keys:
                    taken[(hall_id, number)] = code
        in_file: dict[tuple[Any, Any], Row] = {}
        for row, attrs in attrs_by_row:
            slot = (attrs.get("hall_id"), attrs.get("number"))
            if slot[0] is None or slot[1] is None:
                continue
            if slot in taken:
                ctx.error(row, "number", "import.window_number_taken",
                          f"窗口号已被窗口“{taken[slot]}”占用")
            elif slot in in_file:
                ctx.error(row, "number", "import.window_number_taken",
                          f"与第 {in_file[slot].number} 行的窗口号重复")
            else:
                in_file[slot] = row


class StaffImporter(FlatImporter):
    model = Staff
    key_column = "staff_no"
    refs = (ORG_REF, Ref("window_code", Window, "code", "window_id", "org__path",
                         scoped=False))


class MatterImporter(FlatImporter):
    """Matters are keyed by (实施编码, 版本); the version defaults to "1"."""

    model = Matter
    key_column = "impl_code"
    refs = (ORG_REF,)

    def key_of(self, row: Row) -> Any:
        impl_code = row.values.get("impl_code")
        if impl_code is None:
            return None
        return (impl_code, row.values.get("version", "1"))

    def fetch_existing(self, keys: list[Any]) -> dict[Any, Any]:
        wanted = set(keys)
        found: dict[Any, Any] = {}
        for part in chunks(sorted({impl for impl, _ in keys})):
            for matter in (Matter.objects.filter(impl_code__in=part)
                           .annotate(scope_path=F("org__path"))):
                key = (matter.impl_code, matter.version)
                if key in wanted:
                    found[key] = matter
        return found
