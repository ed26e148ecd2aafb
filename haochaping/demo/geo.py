"""Regions and the org tree of the demo city, inserted level by level with bulk_create.

Tree: 市政务服务和大数据管理局 ─┬─ ~30 city departments
                                └─ 区/县 政务服务局 ─┬─ district departments
                                                     └─ 乡镇/街道 便民服务中心 ── 村/社区 便民服务站
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from haochaping.catalog.models import Org, Region
from haochaping.catalog.rules.codes import AdminLevel, OrgKind, tree_path
from haochaping.demo import codes, data
from haochaping.demo.names import NameMaker
from haochaping.demo.sizes import DemoSize

BATCH = 1000
M = TypeVar("M", Region, Org)


@dataclass
class Village:
    region: Region
    org: Org


@dataclass
class Township:
    region: Region
    org: Org
    villages: list[Village] = field(default_factory=list)


@dataclass
class District:
    spec: data.DistrictSpec
    region: Region
    office: Org
    departments: dict[str, Org] = field(default_factory=dict)
    townships: list[Township] = field(default_factory=list)


@dataclass
class Locality:
    province: Region
    city: Region
    office: Org
    departments: dict[str, Org]
    districts: list[District]

    def district(self, code6: str) -> District:
        return next((d for d in self.districts if d.spec.code6 == code6), self.districts[0])


class UsccMaker:
    """Unique unified social credit codes with random (seeded) organisation codes."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def __call__(self, kind: str, region: Region) -> str:
        while True:
            body = f"{self.rng.randrange(10**8):08d}"
            if body not in self.used:
                self.used.add(body)
                return codes.uscc(kind, region.code[:6], body)


def _region(code: str, name: str, level: AdminLevel, parent: Region | None) -> Region:
    return Region(code=code, name=name, level=level.value, parent=parent,
                  path=tree_path(parent.path if parent else "", code))


def _org(code: str, name: str, *, kind: OrgKind, level: AdminLevel, region: Region,
         parent: Org | None, short_name: str = "", sort: int = 0) -> Org:
    return Org(code=code, name=name, short_name=short_name, kind=kind.value, level=level.value,
               region=region, parent=parent, sort=sort,
               path=tree_path(parent.path if parent else "", code))


def _save(model: type[M], rows: Sequence[M]) -> None:
    # Both back ends return the new ids (SQLite >= 3.35 and PostgreSQL use RETURNING),
    # so the next level can point at these rows without a re-read.
    model._default_manager.bulk_create(rows, batch_size=BATCH)


def _township_names(spec: data.DistrictSpec, count: int, names: NameMaker) -> list[str]:
    chosen = list(spec.townships[:count])
    used = set(chosen)
    while len(chosen) < count:
        chosen.append(names.township(used, town=len(chosen) % 2 == 1))
    return chosen


def _build_regions(size: DemoSize, names: NameMaker) -> tuple[Region, Region, list[District]]:
    province = _region(data.PROVINCE_CODE, data.PROVINCE_NAME, AdminLevel.PROVINCE, None)
    _save(Region, [province])
    city = _region(data.CITY_CODE, data.CITY_NAME, AdminLevel.CITY, province)
    _save(Region, [city])
    specs = data.districts()[: size.districts]
    district_regions = [_region(s.code, s.name, AdminLevel.COUNTY, city) for s in specs]
    _save(Region, district_regions)

    township_rows: list[tuple[int, Region]] = []
    for index, (spec, parent) in enumerate(zip(specs, district_regions, strict=True)):
        streets = towns = 0
        for name in _township_names(spec, size.townships, names):
            is_town = name.endswith(("镇", "乡"))
            seq = towns if is_town else streets
            code = codes.township_code(spec.code6, seq, is_town=is_town)
            towns, streets = (towns + 1, streets) if is_town else (towns, streets + 1)
            township_rows.append((index, _region(code, name, AdminLevel.TOWNSHIP, parent)))
    _save(Region, [r for _, r in township_rows])

    village_rows: list[tuple[Region, Region]] = []
    for _, township in township_rows:
        used: set[str] = set()
        is_town = township.name.endswith(("镇", "乡"))
        for seq in range(size.villages):
            name = names.village(used) if is_town else names.community(used)
            code = codes.village_code(township.code[:9], seq, is_village=is_town)
            village_rows.append((township, _region(code, name, AdminLevel.VILLAGE, township)))
    _save(Region, [r for _, r in village_rows])

    # The org tree is built over District records that carry the regions found here.
    districts = [District(spec=s, region=r, office=Org()) for s, r in
                 zip(specs, district_regions, strict=True)]
    for index, region in township_rows:
        districts[index].townships.append(Township(region=region, org=Org()))
    by_code = {t.region.code: t for d in districts for t in d.townships}
    for parent, region in village_rows:
        by_code[parent.code].villages.append(Village(region=region, org=Org()))
    return province, city, districts


def build_locality(size: DemoSize, names: NameMaker, rng: random.Random) -> Locality:
    """Insert regions and orgs; return the tree for the halls, staff and matters steps."""
    province, city, districts = _build_regions(size, names)
    uscc = UsccMaker(rng)
    office = _org(uscc(codes.GOVERNMENT_ORGAN, city), f"{data.CITY_NAME}政务服务和大数据管理局",
                  short_name="市政务服务和大数据局", kind=OrgKind.SUPERVISING,
                  level=AdminLevel.CITY, region=city, parent=None)
    _save(Org, [office])

    departments = {
        d.key: _org(uscc(d.kind_code, city), d.city_name(), short_name=d.short_name,
                    kind=OrgKind.HANDLING, level=AdminLevel.CITY, region=city, parent=office,
                    sort=i)
        for i, d in enumerate(data.departments(), start=1)
    }
    for i, district in enumerate(districts, start=1):
        district.office = _org(
            uscc(codes.GOVERNMENT_ORGAN, district.region), f"{district.spec.name}政务服务局",
            short_name=f"{district.spec.short}政务服务局", kind=OrgKind.SUPERVISING,
            level=AdminLevel.COUNTY, region=district.region, parent=office, sort=100 + i)
    _save(Org, [*departments.values(), *(d.office for d in districts)])

    second: list[Org] = []
    for district in districts:
        for i, dept in enumerate(data.departments(), start=1):
            name = dept.district_name(district.spec)
            if name is None:
                continue
            org = _org(uscc(dept.kind_code, district.region), name, short_name=dept.short_name,
                       kind=OrgKind.HANDLING, level=AdminLevel.COUNTY, region=district.region,
                       parent=district.office, sort=i)
            district.departments[dept.key] = org
            second.append(org)
        for j, township in enumerate(district.townships, start=1):
            township.org = _org(
                uscc(codes.PUBLIC_INSTITUTION, township.region),
                f"{township.region.name}便民服务中心", short_name=township.region.name,
                kind=OrgKind.SUPERVISING, level=AdminLevel.TOWNSHIP, region=township.region,
                parent=district.office, sort=100 + j)
            second.append(township.org)
    _save(Org, second)

    third: list[Org] = []
    for district in districts:
        for township in district.townships:
            for k, village in enumerate(township.villages, start=1):
                village.org = _org(
                    uscc(codes.VILLAGE_COMMITTEE, village.region),
                    f"{village.region.name}便民服务站", short_name=village.region.name,
                    kind=OrgKind.HANDLING, level=AdminLevel.VILLAGE, region=village.region,
                    parent=township.org, sort=k)
                third.append(village.org)
    _save(Org, third)
    return Locality(province=province, city=city, office=office, departments=departments,
                    districts=districts)
