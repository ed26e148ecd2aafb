"""Where demo handlings are served: every window with its staff and the matters it
handles (traffic weighted by hall level), and the matters that can be done online."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from itertools import accumulate

from haochaping.catalog.models import Hall, Matter, Org, Staff, Window
from haochaping.demo.geo import District, Locality
from haochaping.demo.sites import Sites

# Share of offline traffic by hall level (the city hall is the busiest single hall).
LEVEL_TRAFFIC = {"city": 30.0, "county": 45.0, "township": 18.0, "village": 7.0}
# What township and village service stations accept on behalf of district departments.
GRASSROOTS_DEPARTMENTS = ("hrss", "medins", "civil", "disabled", "veterans", "agri")


@dataclass(frozen=True)
class Point:
    window: Window
    hall: Hall
    org: Org
    staff: tuple[Staff, ...]
    matters: tuple[Matter, ...]


@dataclass
class Points:
    offline: list[Point]
    offline_weights: list[float]  # cumulative
    online: list[Matter]
    dept_of_org: dict[int, str]  # department org id -> department key
    orgs: dict[int, Org]

    def pick_offline(self, rng: random.Random) -> Point:
        return rng.choices(self.offline, cum_weights=self.offline_weights)[0]


def _district_matters(district: District, by_org: dict[int, list[Matter]],
                      city: dict[str, list[Matter]]) -> dict[str, list[Matter]]:
    """Department key -> the district's matters, falling back to the city's (small size
    implements only a sample of the matters in one district)."""
    return {key: by_org.get(org.pk) or city.get(key, [])
            for key, org in district.departments.items()}


def build_points(locality: Locality, sites: Sites) -> Points:
    matters = list(Matter.objects.filter(is_active=True).order_by("pk"))
    by_org: dict[int, list[Matter]] = defaultdict(list)
    for m in matters:
        by_org[m.org_id].append(m)
    city = {key: by_org.get(org.pk, []) for key, org in locality.departments.items()}
    dept_of_org = {org.pk: key for key, org in locality.departments.items()}
    orgs: dict[int, Org] = {o.pk: o for o in locality.departments.values()}
    orgs[locality.office.pk] = locality.office
    served: dict[int, list[Matter]] = {locality.office.pk: [m for ms in city.values() for m in ms]}
    for key, org in locality.departments.items():
        served[org.pk] = city[key]
    for district in locality.districts:
        local = _district_matters(district, by_org, city)
        orgs[district.office.pk] = district.office
        served[district.office.pk] = [m for ms in local.values() for m in ms]
        for key, org in district.departments.items():
            dept_of_org[org.pk], orgs[org.pk] = key, org
            served[org.pk] = local[key]
        grassroots = [m for k in GRASSROOTS_DEPARTMENTS for m in local.get(k, [])]
        for township in district.townships:
            orgs[township.org.pk] = township.org
            served[township.org.pk] = grassroots
            for village in township.villages:
                orgs[village.org.pk] = village.org
                served[village.org.pk] = grassroots

    staff: dict[int, list[Staff]] = defaultdict(list)
    for s in sites.staff:
        if s.window_id is not None:
            staff[s.window_id].append(s)
    halls = {h.pk: h for h in sites.halls}
    per_level: dict[str, int] = defaultdict(int)
    for w in sites.windows:
        per_level[halls[w.hall_id].level] += 1
    points: list[Point] = []
    weights: list[float] = []
    for w in sites.windows:
        hall = halls[w.hall_id]
        handled = served.get(w.org_id, [])
        if not handled or not staff[w.pk]:
            continue
        points.append(Point(window=w, hall=hall, org=orgs[w.org_id], staff=tuple(staff[w.pk]),
                            matters=tuple(handled)))
        weights.append(LEVEL_TRAFFIC[hall.level] / per_level[hall.level])
    online = [m for m in matters if m.online_available and m.org_id in orgs]
    return Points(offline=points, offline_weights=list(accumulate(weights)), online=online,
                  dept_of_org=dept_of_org, orgs=orgs)
