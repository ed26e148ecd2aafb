"""Importers of the two trees, regions and orgs.

A row may name a parent that appears later in the same file; paths are resolved for the
whole file at once (``rules.resolve_tree``), cycles are row errors, and database rows
below a node the file moves get their materialised path rewritten.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Model

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import require
from haochaping.catalog.importing.engine import (
    Context,
    Plan,
    changed_fields,
    chunks,
    fetch_by,
    field_names,
    update_rows,
)
from haochaping.catalog.importing.rules import rebase, resolve_tree
from haochaping.catalog.importing.table import Row
from haochaping.catalog.models import Org, Region


def _db_parent(path: str) -> str | None:
    segments = [s for s in path.split("/") if s]
    return segments[-2] if len(segments) > 1 else None


class TreeImporter:
    model: type[Model]
    scoped: bool  # org rows are checked against the actor's subtree

    def check_row(self, ctx: Context, row: Row, attrs: dict[str, Any]) -> None:
        """Entity-specific references of one row (sets ``attrs``)."""

    def plan(self, ctx: Context) -> Plan:
        rows = ctx.first_rows(lambda r: r.values.get("code"), "code")
        has_parent = "parent_code" in ctx.sheet.headers
        wanted = set(rows) | {r.values.get("parent_code") or "" for r in rows.values()}
        db = fetch_by(self.model, "code", wanted, "id", "path")
        parents, orphans = self._parents(ctx, rows, db, has_parent)
        tree = resolve_tree(parents, {code: found[1] for code, found in db.items()})
        fields = [n for n in field_names(ctx.sheet, {"parent_code": "parent_id",
                                                     "region_code": "region_id"})
                  if n != "code"]
        plan = Plan(self.model, update_fields=[*fields, "path"])
        current = self._existing(list(rows))
        later_parents: list[tuple[Model, str]] = []
        moved: dict[str, str] = {}
        for code, row in rows.items():
            attrs = {k: v for k, v in row.values.items() if k != "parent_code"}
            self.check_row(ctx, row, attrs)
            column = "parent_code" if has_parent else "code"
            if code in tree.cycles:
                ctx.error(row, column, "import.cycle", "上级关系形成循环")
                continue
            attrs["path"] = path = tree.paths[code]
            if code not in orphans:
                self._check_scope(ctx, row, column, path)
            instance = current.get(code)
            if instance is not None:
                self._check_scope(ctx, row, "code", instance.path)
            parent = parents[code]
            if has_parent:
                attrs["parent_id"] = db[parent][0] if parent in db else None
            if not row.ok:
                continue
            if instance is None:
                instance = self.model(**attrs)
                plan.creates.append(instance)
            else:
                old_path = instance.path
                if changed_fields(instance, attrs):
                    plan.updates.append(instance)
                    if old_path != path:
                        moved[old_path] = path
                else:
                    plan.unchanged += 1
            if parent is not None and parent not in db:
                later_parents.append((instance, parent))
        plan.after.append(lambda: self._link_parents(plan, later_parents))
        plan.after.append(lambda: self._rebase(moved, tree.paths, set(rows)))
        return plan

    def _parents(self, ctx: Context, rows: dict[str, Row], db: dict[str, tuple[Any, ...]],
                 has_parent: bool) -> tuple[dict[str, str | None], set[str]]:
        """Each row's parent code; rows naming an unknown parent are errors (orphans,
        whose path means nothing and is not scope-checked)."""
        parents: dict[str, str | None] = {}
        orphans: set[str] = set()
        for code, row in rows.items():
            if has_parent:
                parent = row.values.get("parent_code") or None
                if parent is not None and parent not in rows and parent not in db:
                    ctx.unknown(row, "parent_code", parent)
                    orphans.add(code)
                    parent = None
            else:
                parent = _db_parent(db[code][1]) if code in db else None
            parents[code] = parent
        return parents, orphans

    def _check_scope(self, ctx: Context, row: Row, column: str, path: str) -> None:
        if self.scoped:
            ctx.check_scope(row, column, path)

    def _existing(self, codes: list[str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for part in chunks(codes):
            instances: Iterable[Any] = self.model._default_manager.filter(code__in=part)
            for instance in instances:
                found[instance.code] = instance
        return found

    def _link_parents(self, plan: Plan, pending: list[tuple[Model, str]]) -> None:
        """Parents created by this file: their ids exist only after the insert."""
        if not pending:
            return
        ids = {getattr(i, "code"): i.pk for i in plan.creates}  # noqa: B009
        for instance, parent in pending:
            instance.parent_id = ids[parent]  # type: ignore[attr-defined]
        update_rows(self.model, [i for i, _ in pending], ["parent"])

    def _rebase(self, moved: dict[str, str], new_paths: dict[str, str],
                in_file: set[str]) -> None:
        """Database rows below a moved node follow it (their path prefix changes)."""
        changed: list[Any] = []
        for old_path in moved:
            below: Iterable[Any] = (self.model._default_manager
                                    .filter(path__startswith=old_path)
                                    .exclude(code__in=in_file).only("id", "code", "path"))
            for instance in below:
                instance.path = rebase(instance.path, new_paths)
                changed.append(instance)
        if changed:
            update_rows(self.model, changed, ["path"])


class RegionImporter(TreeImporter):
    model = Region
    scoped = False

    def plan(self, ctx: Context) -> Plan:
        # Regions belong to no org: only a deployment-wide actor (system admin) edits them.
        require(ctx.actor, access.CATALOG, access.WRITE, None)
        return super().plan(ctx)


class OrgImporter(TreeImporter):
    model = Org
    scoped = True

    def __init__(self) -> None:
        self.regions: dict[str, tuple[Any, ...]] | None = None

    def check_row(self, ctx: Context, row: Row, attrs: dict[str, Any]) -> None:
        if "region_code" not in attrs:
            return
        if self.regions is None:
            self.regions = fetch_by(Region, "code", (
                r.values.get("region_code") for r in ctx.sheet.rows), "id")
        code = attrs.pop("region_code")
        found = self.regions.get(code)
        if found is None:
            ctx.unknown(row, "region_code", code)
        else:
            attrs["region_id"] = found[0]
