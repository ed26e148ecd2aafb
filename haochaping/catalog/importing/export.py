"""``catalog_export``: the import columns, scoped to the actor's org subtree.

An export re-imports unchanged: same headers, enum labels and 是/否 that the parsers read,
and the apostrophe ``core.sheets`` puts before a formula-like cell is taken off on import.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, require, scope
from haochaping.audit.services import audit_record
from haochaping.catalog.importing.columns import ENTITY_COLUMNS, Column, format_cell
from haochaping.catalog.importing.service import check_entity
from haochaping.catalog.models import Hall, Matter, Org, Region, Staff, Window
from haochaping.core.errors import ValidationError
from haochaping.core.sheets import CONTENT_TYPES as FORMATS
from haochaping.core.sheets import Provenance, Sheet, csv_bytes, xlsx_bytes

EXPORT = "catalog.export"

# column key -> queryset value path, where it differs from the key
SOURCES: dict[str, dict[str, str]] = {
    "regions": {"parent_code": "parent__code"},
    "orgs": {"parent_code": "parent__code", "region_code": "region__code"},
    "halls": {"org_code": "org__code", "region_code": "region__code"},
    "windows": {"hall_code": "hall__code", "org_code": "org__code"},
    "staff": {"org_code": "org__code", "window_code": "window__code"},
    "matters": {"org_code": "org__code"},
}


@dataclass
class ExportFile:
    content: bytes
    content_type: str
    filename: str


def _queryset(actor: Actor, entity: str) -> QuerySet[Any]:
    if entity == "regions":
        return Region.objects.order_by("path")
    if entity == "orgs":
        return scope(Org.objects.order_by("path"), actor, "path")
    model = {"halls": Hall, "windows": Window, "staff": Staff, "matters": Matter}[entity]
    return scope(model.objects.order_by("pk"), actor)  # type: ignore[attr-defined]


def export_rows(actor: Actor, entity: str) -> Iterator[list[str]]:
    """Header row, then one row per object the actor may see."""
    check_entity(entity)
    require(actor, access.CATALOG, access.READ, actor.scope_path or "/")
    columns: list[Column] = ENTITY_COLUMNS[entity]
    sources = [SOURCES[entity].get(c.key, c.key) for c in columns]
    yield [c.header for c in columns]
    for values in _queryset(actor, entity).values_list(*sources).iterator(chunk_size=2000):
        yield [format_cell(c, v) for c, v in zip(columns, values, strict=True)]


def catalog_export(*, actor: Actor, entity: str, fmt: str = "xlsx",
                   ip: str | None = None) -> ExportFile:
    """The entity's rows in the actor's subtree as a file (``core.sheets``: cells
    neutralised, who and when in the XLSX properties), audited as ``catalog.export``
    (the query and the row count, never a cell)."""
    if fmt not in FORMATS:
        raise ValidationError("export.format", "导出格式只能是 xlsx 或 csv", field="format")
    header, *rows = list(export_rows(actor, entity))
    event = audit_record(action=EXPORT, actor=actor.user, actor_label=actor.label,
                         object_type=f"catalog.{entity}", ip=ip,
                         after={"entity": entity, "format": fmt, "rows": len(rows),
                                "scope": actor.scope_path or "/"})
    sheet = Sheet(entity, header, rows)
    if fmt == "csv":
        content = csv_bytes(sheet)
    else:
        content = xlsx_bytes([sheet], Provenance(
            by=actor.label, at=event.at, title=f"服务目录导出（{entity}）",
            scope=actor.scope_path or "/", reference=str(event.pk)))
    return ExportFile(content, FORMATS[fmt], f"{entity}.{fmt}")
