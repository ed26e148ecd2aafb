"""``catalog_import``: one sheet of one entity, all rows or none, one audit row per run."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor
from haochaping.audit.services import audit_record
from haochaping.catalog.importing.columns import ENTITY_COLUMNS
from haochaping.catalog.importing.engine import Context
from haochaping.catalog.importing.flat import (
    HallImporter,
    MatterImporter,
    StaffImporter,
    WindowImporter,
)
from haochaping.catalog.importing.table import read_sheet
from haochaping.catalog.importing.trees import OrgImporter, RegionImporter
from haochaping.core.errors import FieldProblem, NotFound, PermissionDenied, ValidationError

IMPORTERS: dict[str, type[Any]] = {
    "regions": RegionImporter,
    "orgs": OrgImporter,
    "halls": HallImporter,
    "windows": WindowImporter,
    "staff": StaffImporter,
    "matters": MatterImporter,
}


@dataclass
class ImportResult:
    entity: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[FieldProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity, "dry_run": self.dry_run, "ok": self.ok, "rows": self.rows,
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "errors": [p.as_dict() for p in self.problems],
            "ignored_columns": self.ignored_columns,
        }


def check_entity(entity: str) -> None:
    if entity not in IMPORTERS:
        raise NotFound("import.unknown_entity", f"不支持的导入对象：{entity}")


def catalog_import(*, actor: Actor, entity: str, data: bytes, filename: str = "",
                   dry_run: bool = False) -> ImportResult:
    """Validate every row; unless ``dry_run``, write all of them or, on any error, none.

    A dry run returns the report (every bad row); a real run with bad rows raises
    :class:`ValidationError` carrying the same report and writes nothing.
    """
    check_entity(entity)
    if not actor.allows(access.CATALOG, access.WRITE):
        raise PermissionDenied("forbidden.role", "当前角色无权导入服务目录")
    sheet = read_sheet(data, ENTITY_COLUMNS[entity])
    result = ImportResult(entity=entity, dry_run=dry_run, rows=len(sheet.rows),
                          ignored_columns=sheet.ignored)
    with transaction.atomic():
        plan = IMPORTERS[entity]().plan(Context(actor, sheet)) if sheet.rows else None
        result.problems = sorted(sheet.problems, key=lambda p: (p.row or 0))
        if plan is not None:
            result.created, result.updated = plan.created, len(plan.updates)
            result.unchanged = plan.unchanged
        if dry_run:
            return result
        if plan is None or result.problems:
            raise ValidationError("import.invalid_rows",
                                  f"文件中有 {len(result.problems)} 处错误，未导入任何数据",
                                  problems=result.problems)
        plan.apply()
        audit_record(
            action="catalog.import", actor=actor.user, actor_label=actor.label,
            object_type=f"catalog.{entity}", object_id=filename[:64],
            after={"entity": entity, "file": filename, "rows": result.rows,
                   "created": result.created, "updated": result.updated,
                   "unchanged": result.unchanged,
                   "sha256": hashlib.sha256(data).hexdigest()},
        )
    return result
