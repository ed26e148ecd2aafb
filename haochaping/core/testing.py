"""Test factories shared by every app's tests (one function per entity and state).

Kept in the package (not in a conftest) so tests, benchmarks and the demo can all build
the same fixtures without duplicating them.
"""

from __future__ import annotations

import itertools
from typing import Any

from haochaping.catalog.models import Hall, Matter, Org, Region, Staff, Window
from haochaping.catalog.rules.codes import tree_path

_seq = itertools.count(1)

STRONG_PASSWORD = "Hcp-Demo-2026!pass"


def make_region(code: str = "410100000000", name: str = "郑州市", level: str = "city",
                parent: Region | None = None) -> Region:
    region, _ = Region.objects.get_or_create(
        code=code,
        defaults={"name": name, "level": level, "parent": parent,
                  "path": tree_path(parent.path if parent else "", code)},
    )
    return region


def make_org(name: str, *, parent: Org | None = None, kind: str = "handling",
             level: str = "city", region: Region | None = None, code: str | None = None,
             **extra: Any) -> Org:
    code = code or f"ORG{next(_seq):05d}"
    region = region or (parent.region if parent else make_region())
    return Org.objects.create(code=code, name=name, kind=kind, level=level, region=region,
                              parent=parent, path=tree_path(parent.path if parent else "", code),
                              **extra)


def make_hall(org: Org, *, name: str = "市民服务中心", code: str | None = None) -> Hall:
    return Hall.objects.create(code=code or f"HALL{next(_seq):04d}", name=name, org=org,
                               region=org.region, level=org.level)


def make_window(hall: Hall, org: Org, *, number: str | None = None) -> Window:
    n = next(_seq)
    return Window.objects.create(code=f"W{n:05d}", number=number or str(n), name=org.name,
                                 hall=hall, org=org)


def make_staff(org: Org, *, window: Window | None = None, name: str = "王晓明") -> Staff:
    return Staff.objects.create(staff_no=f"S{next(_seq):06d}", name=name, org=org,
                                window=window)


def make_matter(org: Org, *, name: str = "食品经营许可", category: str = "licensing",
                **extra: Any) -> Matter:
    n = next(_seq)
    return Matter.objects.create(code=f"M{n:06d}", impl_code=f"IMPL{n:06d}", name=name,
                                 category=category, org=org, **extra)


def make_user(username: str, *, role: str, org: Org | None, **extra: Any) -> Any:
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    return user_model.objects.create_user(username=username, password=STRONG_PASSWORD,
                                          role=role, org=org, **extra)
