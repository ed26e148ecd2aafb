"""Display names of the things statistics are grouped by, told apart across the locality.

A window's own name and number repeat from hall to hall (every hall has its 1号窗口
综合受理窗口), and staff names repeat across departments, so a ranking or a "most bad
reviews" list that showed them bare would name two windows or two people the same. A
window is named with its hall, a staff member with their staff number; each call reads
its names in one query.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Model

from haochaping.catalog.models import Hall, Matter, Org, Region, Staff, Window

NAMED: dict[str, type[Model]] = {
    "region": Region, "org": Org, "hall": Hall, "window": Window, "staff": Staff,
    "matter": Matter,
}


def window_name(window: Window) -> str:
    return f"{window.hall.name} {window}"


def region_name(region: Region, *, own: bool = False, code: bool = True) -> str:
    """A region with its code (names repeat across the country; the screen, showing the
    children of one region, leaves it out); ``own``: the orgs of the region itself
    (本级), the row of the base region when figures are grouped by region
    (stats.regions.Level)."""
    name = f"{region.name}{'本级' if own else ''}"
    return f"{name}（{region.code}）" if code else name


def region_names(keys: Iterable[Any], base_id: int | None) -> dict[Any, str]:
    """pk → display name of regions grouped by region at the level below ``base_id``."""
    found = Region.objects.in_bulk({k for k in keys if k is not None})
    return {pk: region_name(r, own=pk == base_id) for pk, r in found.items()}


def names(dimension: str, keys: Iterable[Any]) -> dict[Any, str]:
    """pk → display name for one catalog dimension (org, window, staff, …)."""
    ids = {k for k in keys if k is not None}
    if dimension == "window":
        rows = Window.objects.filter(pk__in=ids).select_related("hall")
        return {w.pk: window_name(w) for w in rows}
    return {pk: str(obj) for pk, obj in NAMED[dimension]._default_manager.in_bulk(ids).items()}
