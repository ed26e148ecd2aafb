"""Three handling departments and three staff rated over the first three quarters of
2026 (written to the daily roll-ups directly, as the statistics' own tests do): the
district HR department and its staff member 李红 are last every quarter. The bottom is
the last 1 for 2 consecutive reviews (policy overrides)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.appraisal import services
from haochaping.appraisal.models import ReviewSheet
from haochaping.catalog.models import PolicyOverride
from haochaping.stats import rollup
from haochaping.stats.models import EvaluationRollup
from tests import factories as f

Q1, Q2, Q3 = date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1)
ORG_INDICATORS = [{"key": "satisfaction", "mode": "weight", "weight": 100},
                  {"key": "overdue_orders", "mode": "deduct", "deduction": "2"},
                  {"key": "spot_check_findings", "mode": "deduct", "deduction": "5"}]


def _rate(loc: SimpleNamespace, day: date, org: Any, staff: Any, good: int, bad: int) -> None:
    EvaluationRollup.objects.create(day=day, org=org, matter=loc.matter, hall=loc.hall,
                                    window=None, staff=staff, channel="web", level_5=good,
                                    level_1=bad)


@pytest.fixture
def world(locality: SimpleNamespace, personas: SimpleNamespace) -> SimpleNamespace:
    loc = locality
    tax = f.make_org("郑州市税务局", parent=loc.city_office, code="TAX")
    li = f.make_staff(loc.district_hr, name="李红")
    zhao = f.make_staff(tax, name="赵敏")
    for start in (Q1, Q2, Q3):
        day = start.replace(day=15)
        _rate(loc, day, loc.market, loc.staff, 18, 2)  # 90 %
        _rate(loc, day, tax, zhao, 16, 4)  # 80 %
        _rate(loc, day, loc.district_hr, li, 10, 10)  # 50 %
    rollup.derive_all()
    PolicyOverride.objects.create(org=None, key="appraisal_bottom_count", value=1)
    PolicyOverride.objects.create(org=None, key="appraisal_bottom_periods", value=2)
    actors = {name: actor_for_user(getattr(personas, name)) for name in vars(personas)}
    return SimpleNamespace(loc=loc, tax=tax, li=li, zhao=zhao, people=personas,
                           now=timezone.now(), **actors)


def org_sheet(w: SimpleNamespace, **extra: Any) -> ReviewSheet:
    return services.sheet_create(actor=w.supervisor, title="部门季度考核",
                                 subject_kind="org", period_kind="quarter",
                                 indicators=extra.get("indicators", ORG_INDICATORS),
                                 now=w.now)


def staff_sheet(w: SimpleNamespace) -> ReviewSheet:
    return services.sheet_create(actor=w.supervisor, title="工作人员季度考核",
                                 subject_kind="staff", period_kind="quarter",
                                 indicators=[{"key": "satisfaction", "mode": "weight",
                                              "weight": 70},
                                             {"key": "ranking", "mode": "weight",
                                              "weight": 30}], now=w.now)
