"""Which department handles an accepted item (seed 004 §6: 属地管理优先、谁主管谁负责).
Pure, no ORM: the dispatch service describes the orgs it knows as :class:`Unit` rows.

- A village item (the station's QR, seed 004 §12, with its hall or region known) goes to
  the handling org of that place first (属地管理优先): a handling org of the station's
  managing org's subtree, else of the office's subtree, located in the item's region or
  the nearest region up the chain. Exactly one candidate at the nearest place decides;
  several are the office's choice.
- Any other item goes to the org responsible for what it names (谁主管谁负责): the
  window's org (进驻部门), the staff member's org, the matter's org (实施部门), the
  subject org when it is a handling department. When they name different departments
  the office decides.
- The chosen department must be an active handling org inside the receiving office's
  subtree; anything else, and an item naming nothing, "needs the office" (待交办).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    """An org as routing sees it."""

    id: int
    name: str
    kind: str  # "handling" | "supervising" (catalog.rules.codes.OrgKind)
    path: str
    region_path: str = ""
    active: bool = True

    @property
    def handles(self) -> bool:
        return self.kind == "handling" and self.active


@dataclass(frozen=True)
class Known:
    """What the item tells about its subject."""

    office_path: str  # the receiving office's subtree
    window_org: Unit | None = None
    staff_org: Unit | None = None
    matter_org: Unit | None = None
    subject_org: Unit | None = None
    village: bool = False  # channel village_qr with a hall or a region
    hall_org: Unit | None = None  # the station's managing org
    region_path: str = ""  # the station's (or the item's) region path
    # Active handling orgs of the office's subtree (for village items); the service
    # passes those whose region lies on the item's region chain.
    local: Sequence[Unit] = ()


@dataclass(frozen=True)
class Route:
    org_id: int | None  # None: the office chooses (待交办)
    basis: str  # plain Chinese, shown to the office and kept on the timeline

    @property
    def needs_office(self) -> bool:
        return self.org_id is None


def _inside(unit: Unit, office_path: str) -> bool:
    return unit.path.startswith(office_path)


def _nearest(pool: Sequence[Unit], region_path: str) -> Route | None:
    """The one department of the nearest region up the chain that has any."""
    chain = [u for u in pool if u.region_path and region_path.startswith(u.region_path)]
    if not chain:
        return None
    nearest = max(len(u.region_path) for u in chain)
    here = [u for u in chain if len(u.region_path) == nearest]
    if len(here) == 1:
        return Route(here[0].id, f"属地管理优先：所在辖区的{here[0].name}")
    return Route(None, "所在辖区有多个承办部门，请人工交办")


def _village(known: Known) -> Route | None:
    if not known.village:
        return None
    pool = [u for u in known.local if u.handles and _inside(u, known.office_path)]
    hall = known.hall_org
    if hall is not None:
        if hall.handles and _inside(hall, known.office_path):
            return Route(hall.id, f"属地管理优先：便民服务站所属的{hall.name}")
        under = [u for u in pool if u.path.startswith(hall.path)]
        found = _nearest(under, known.region_path or hall.region_path)
        if found is not None:
            return found
    if not known.region_path:
        return None
    return _nearest(pool, known.region_path)


def route(known: Known) -> Route:
    """The handling department for ``known``, or the office's choice with the reason."""
    local = _village(known)
    if local is not None:
        return local
    named = [("窗口所属部门", known.window_org), ("工作人员所在部门", known.staff_org),
             ("事项实施部门", known.matter_org), ("反映的部门", known.subject_org)]
    found = [(label, u) for label, u in named if u is not None and u.handles]
    if not found:
        return Route(None, "未能确定承办部门，请人工交办")
    ids = {u.id for _, u in found}
    if len(ids) > 1:
        names = "、".join(f"{label}{u.name}" for label, u in found)
        return Route(None, f"涉及多个部门（{names}），请人工交办")
    label, unit = found[0]
    if not _inside(unit, known.office_path):
        return Route(None, f"{unit.name}不在受理机构管辖范围内，请人工交办")
    return Route(unit.id, f"谁主管谁负责：{label}{unit.name}")
