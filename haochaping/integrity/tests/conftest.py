"""Ten windows of five departments in one hall, each with a staff member and a matter, an
intake client, the clock on 2026-11-20 12:00; ``clean`` adds ordinary ratings (mixed
levels, office hours, one applicant and phone each, a few single evening ratings), and
``planted`` plants one case of every signal with the demo's planter."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine

from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.rules.calendar import SHANGHAI
from haochaping.catalog.rules.standards import Channel
from haochaping.demo.integrity import Planted, Planter, plant
from haochaping.evaluations.tests import factories as ef
from tests import factories as f

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=SHANGHAI)
LEVELS = [5] * 12 + [4] * 5 + [3] * 3  # 60% 非常满意
CLEAN_PER_WINDOW = 34


@pytest.fixture
def ig(locality: SimpleNamespace, personas: SimpleNamespace) -> Iterator[SimpleNamespace]:
    traveller = time_machine.travel(NOW, tick=False)
    traveller.start()
    office = locality.city_office
    orgs = [locality.market, locality.district_hr] + [
        f.make_org(name, parent=office, code=f"ORG{n}") for n, name in
        enumerate(["郑州市公安局", "郑州市自然资源和规划局", "郑州市住房保障和房地产管理局"])]
    staff, matters = [], {}
    for n in range(10):
        org = orgs[n % 5]
        window = f.make_window(locality.hall, org, number=str(10 + n))
        staff.append(f.make_staff(org, window=window, name=f"窗口人员{n}"))
        if org.pk not in matters:
            matters[org.pk] = (locality.matter if org == locality.market
                               else f.make_matter(org, name=f"事项{n}"))
    client, _ = ef.make_client(office, scopes=("handlings:write",), name="审批系统")
    actors = {name: actor_for_user(getattr(personas, name)) for name in vars(personas)}
    yield SimpleNamespace(loc=locality, people=personas, staff=staff, matters=matters,
                          client=client, now=NOW, **actors)
    traveller.stop()


def make_clean(ig: SimpleNamespace, *, per_window: int = CLEAN_PER_WINDOW,
               skip: tuple[int, ...] = (2,)) -> set[int]:
    """Ordinary ratings at every window but ``skip`` (the planted uniform window)."""
    rng = random.Random(7)
    p = Planter(ig.client, ig.matters, rng, "CLN", NOW)
    for n, who in enumerate(ig.staff):
        if n in skip:
            continue
        for i in range(per_window):
            day = NOW - timedelta(days=1 + rng.randrange(25))
            hour = 19 if i == 0 else rng.randrange(9, 17)
            completed = day.replace(hour=hour, minute=rng.randrange(60))
            pad = rng.random() < 0.6
            p.add(who, completed=completed,
                         after=timedelta(minutes=rng.randrange(1, 30) if pad
                                         else rng.randrange(10, 600)),
                         level=rng.choice(LEVELS),
                         channel=Channel.EVALUATOR if pad else Channel.WEB,
                         ip=None if pad else f"{rng.randrange(36, 220)}.{rng.randrange(256)}."
                                             f"{rng.randrange(256)}.{rng.randrange(1, 255)}")
    return {row.pk for row in p.flush().values()}


def make_planted(ig: SimpleNamespace) -> Planted:
    return plant(client=ig.client, office=ig.supervisor, staff=ig.staff, matters=ig.matters,
                 now=NOW)


@pytest.fixture
def planted(ig: SimpleNamespace) -> Planted:
    """A few clean ratings at each window (the uniform test's peers), then the plant."""
    make_clean(ig, per_window=6)
    return make_planted(ig)


def snapshot() -> tuple[Any, ...]:
    """What a refused write must leave untouched."""
    from haochaping.audit.models import AuditEvent
    from haochaping.evaluations.models import Evaluation
    from haochaping.integrity.models import Flag, NetworkRange, Review, StaffPhone

    return (Flag.objects.count(), Review.objects.count(), StaffPhone.objects.count(),
            NetworkRange.objects.count(), AuditEvent.objects.count(),
            Evaluation.objects.filter(invalidated_at__isnull=False).count())
