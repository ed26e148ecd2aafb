"""``catalog_export``: the import columns, scoped to the actor's org subtree.

An export re-imports unchanged: same headers, enum labels and 是/否 that the parsers read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, require, scope
from haochaping.catalog.importing.columns import ENTITY_COLUMNS, Column, format_cell
from haochaping.catalog.importing.service import check_entity
from haochaping.catalog.models import Hall, Matter, Org, Region, Staff, Window
from haochaping.core.errors import ValidationError

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

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


def catalog_export(*, actor: Actor, entity: str, fmt: str = "xlsx") -> ExportFile:
    if fmt not in FORMATS:
        raise ValidationError("export.format", "导出格式只能是 xlsx 或 csv", field="format")
    rows = export_rows(actor, entity)
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        csv.writer(buffer).writerows(rows)
        # The BOM lets Excel open the UTF-8 file with the right encoding.
        content = buffer.getvalue().encode("utf-8-sig")
    else:
        content = _xlsx(entity, rows)
    return ExportFile(content, FORMATS[fmt], f"{entity}.{fmt}")


def _xlsx(entity: str, rows: Iterator[list[str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(entity)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
