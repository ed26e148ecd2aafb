"""Test factories shared by every app's tests (one function per entity and state).

Kept in the top-level ``tests`` package (not in a conftest) so every app's tests, the
integration seeds and the benchmarks build the same fixtures; never imported by production
code (the import-linter contract ``tests-stay-out`` holds that).
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace
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


def seed_completed_handlings(count: int, *, code: str, prefix: str, completed_at: Any,
                             scopes: tuple[str, ...] = ("handlings:write",),
                             phone_prefix: str = "137", at_window: bool = False,
                             batch: int = 1000) -> SimpleNamespace:
    """A city office, one department and ``count`` completed handlings pushed through the
    real intake service (``<prefix><n:08d>``, raters with phones ``<phone_prefix><n:08d>``).

    Used by the worker-kill integration tests and the HTTP benchmarks, which need many
    rows written exactly as production writes them. Returns the client, its key, the org,
    the matter and the window (None unless ``at_window``)."""
    from django.utils import timezone

    from haochaping.accounts import services
    from haochaping.accounts.scoping import security_actor
    from haochaping.handlings.services import handling_intake

    city = make_org("市政务服务局", kind="supervising", code=f"{code}CITY")
    org = make_org("市市场监督管理局", parent=city, code=f"{code}MARKET")
    window = make_window(make_hall(city, code=f"{code}HALL"), org, number="1") \
        if at_window else None
    matter = make_matter(org)
    client, key = services.api_client_create(
        actor=security_actor("seed"), name=f"seed-{code}", org=org, scopes=list(scopes),
        rate_limit_per_minute=100_000)
    stamp = timezone.localtime(completed_at).strftime("%Y-%m-%d %H:%M:%S")
    extra = {"windowCode": window.code} if window else {}
    for start in range(0, count, batch):
        items = [{"projectNo": f"{prefix}{n:08d}", "taskCode": matter.impl_code,
                  "serviceVersion": matter.version, "orgcode": org.code, "proStatus": "3",
                  "acceptDate": stamp, "resultDate": stamp, "userProp": "1",
                  "userName": "王芳", "telPhone": f"{phone_prefix}{n:08d}", **extra}
                 for n in range(start, min(start + batch, count))]
        result = handling_intake(client=client, items=items, now=completed_at)
        if result.errors:
            raise RuntimeError(f"seed intake refused items: {result.errors[:3]}")
    return SimpleNamespace(client=client, key=key, org=org, matter=matter, window=window)


def logged_in(user: Any) -> Any:
    """A Django test client with ``user`` logged in (no password round trip)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def earlier_today(hours: float = 1, now: Any = None) -> Any:
    """``hours`` before ``now``, kept inside today's local (Shanghai) day: a test that counts
    "today's" rows must not see them fall on yesterday when it runs just after local
    midnight (16:00–18:00 UTC)."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from haochaping.core.localtime import SHANGHAI

    now = now or timezone.now()
    midnight = datetime.combine(now.astimezone(SHANGHAI).date(), time(0), tzinfo=SHANGHAI)
    wanted = now - timedelta(hours=hours)
    return wanted if wanted >= midnight else midnight + (now - midnight) / 2
