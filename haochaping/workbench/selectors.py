"""Reads for the staff workbench (home page): catalog counts inside the actor's subtree."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, scope
from haochaping.catalog.models import Hall, Matter, Org, Staff, Window
from haochaping.catalog.rules.codes import MatterCategory
from haochaping.core.errors import PermissionDenied

MATTER_PAGE = 20


@dataclass(frozen=True)
class CategoryCount:
    category: MatterCategory
    count: int

    @property
    def label(self) -> str:
        return self.category.label


@dataclass(frozen=True)
class WorkbenchCounts:
    orgs: int
    halls: int
    windows: int
    staff: int
    matters: int
    by_category: list[CategoryCount]


def _require_catalog_read(actor: Actor) -> None:
    if not actor.allows(access.CATALOG, access.READ):
        raise PermissionDenied("forbidden.role", "当前角色无权查看服务目录")


def workbench_counts(actor: Actor) -> WorkbenchCounts:
    """Active orgs, halls, windows (by the department staffing them), staff and matters in
    the actor's org subtree; matters broken down by the "6+1" categories."""
    _require_catalog_read(actor)
    per_category = dict(
        scope(Matter.objects.filter(is_active=True), actor)
        .values_list("category").annotate(n=Count("id")).values_list("category", "n"))
    by_category = [CategoryCount(c, per_category.get(c.value, 0)) for c in MatterCategory]
    return WorkbenchCounts(
        orgs=scope(Org.objects.filter(is_active=True), actor, "path").count(),
        halls=scope(Hall.objects.filter(is_active=True), actor).count(),
        windows=scope(Window.objects.filter(is_active=True), actor).count(),
        staff=scope(Staff.objects.filter(is_active=True), actor).count(),
        matters=sum(c.count for c in by_category),
        by_category=by_category,
    )


def matter_search(actor: Actor, *, text: str = "", category: str = "",
                  limit: int = MATTER_PAGE) -> tuple[list[Matter], int]:
    """Active matters in the actor's subtree whose name or code contains ``text``,
    optionally of one category: the first ``limit`` rows and the total."""
    _require_catalog_read(actor)
    qs: QuerySet[Matter] = scope(Matter.objects.filter(is_active=True), actor)
    text = text.strip()[:50]
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(code__startswith=text))
    if category in {c.value for c in MatterCategory}:
        qs = qs.filter(category=category)
    total = qs.count()
    rows = list(qs.select_related("org").order_by("code", "org__path")[:limit])
    return rows, total
