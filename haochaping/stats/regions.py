"""行政区划 in the statistics: a region filter holds the region's whole subtree, and
grouping by region counts each org under its region's ancestor one level below a base
region (docs/metrics.md, "Regions").

The roll-ups are keyed by org, never by region: an org's region is joined at read time
through ``org → region``, so moving an org or re-parenting a region needs no roll-up
work, and every read stays on the roll-ups. A region's subtree is a prefix of the
materialised ``Region.path``; the ancestor of a region at a given depth is a
fixed-length prefix of its path (``REGION_PATH_STEP`` characters a level), and a GROUP BY
on that prefix groups each org under it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Min
from django.db.models.functions import Substr

from haochaping.accounts.scoping import Actor, scope
from haochaping.catalog.models import Org, Region
from haochaping.catalog.rules.codes import REGION_PATH_STEP, deepest_common_path
from haochaping.core.errors import ValidationError

SUBTREE = "region"  # filter: the orgs of a region and of every region below it
OWN = "own_region"  # filter: the orgs of a region itself (本级), none below it


def path_of(region_id: Any) -> str:
    """The path of a region named by a filter; an unknown one is a 422."""
    path = Region.objects.filter(pk=region_id).values_list("path", flat=True).first()
    if path is None:
        raise ValidationError("stats.region", "区划不存在", "region")
    return path


def lookups(filters: Mapping[str, Any], columns: Mapping[str, str]) -> dict[str, Any]:
    """ORM lookups for validated filters, each on its column in ``columns``: the
    ``region`` filter as a prefix of its column (the org's region path), every other one
    (``own_region`` included) as an equality."""
    found: dict[str, Any] = {}
    for name, value in filters.items():
        if name == SUBTREE:
            found[f"{columns[name]}__startswith"] = path_of(value)
        else:
            found[columns[name]] = value
    return found


@dataclass(frozen=True)
class Level:
    """The level grouping by region shows (``stats.selectors.figures``): the children
    of ``base`` (the whole tree's top regions when ``base_id`` is None). An org whose
    region is the base itself is counted under the base (its 本级 row); every other org
    under its region's ancestor among the children. Callers that name or open the
    groups (API ``region_base``, exports, the dashboard) ask :func:`level` with the
    same actor and filters."""

    base_id: int | None
    base_path: str
    ids: dict[str, int] = field(default_factory=dict)  # key path → region id

    @property
    def key_length(self) -> int:
        return len(self.base_path) + REGION_PATH_STEP

    def key(self, path_column: str) -> Substr:
        """The SQL expression of an org's group: its region path cut to the children's
        length (the base's own path, shorter, for the base itself)."""
        return Substr(path_column, 1, self.key_length)

    def region_of(self, key_path: str) -> int:
        return self.ids[key_path]

    def drill_key(self, region_id: int) -> dict[str, int]:
        """The filter that selects exactly the rows counted under this group."""
        return {OWN if region_id == self.base_id else SUBTREE: region_id}


def view_root(actor: Actor) -> str:
    """The path of the deepest region holding every org the actor sees ("/" when they
    span several top regions or there is none): two aggregates over the org tree, the
    least and the greatest region path (``deepest_common_path``)."""
    span = scope(Org.objects.all(), actor).aggregate(lo=Min("region__path"),
                                                      hi=Max("region__path"))
    if span["lo"] is None:
        return "/"
    return deepest_common_path(span["lo"], span["hi"])


def level(actor: Actor, filters: Mapping[str, Any]) -> Level:
    """The level grouping by region shows for this actor and these filters: the
    children of the ``region`` (or ``own_region``) filter's region, otherwise of the
    deepest region holding every org in the actor's view."""
    chosen = filters.get(SUBTREE, filters.get(OWN))
    base_path = path_of(chosen) if chosen is not None else view_root(actor)
    base = Region.objects.filter(path=base_path).values_list("pk", flat=True).first()
    children = (Region.objects.filter(parent_id=base) if base is not None
                else Region.objects.filter(parent__isnull=True))
    ids = dict(children.values_list("path", "pk"))
    if base is not None:
        ids[base_path] = base
    return Level(base, base_path, ids)
