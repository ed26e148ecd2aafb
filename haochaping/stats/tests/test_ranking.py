"""Rankings read from the rollups; the office's weights service."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.catalog.rules.calendar import SHANGHAI
from haochaping.core.errors import AppError
from haochaping.stats import ranking, rollup
from haochaping.stats import ranking_rules as rr
from haochaping.stats.models import EvaluationRollup, RankingWeights
from haochaping.stats.rules import Period
from tests import factories as f

NOW = datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)
W = rr.Weights(min_sample=2, bottom_count=1, bottom_periods=3)


def _rate(loc: SimpleNamespace, day: date, org: Any, window: Any, good: int, bad: int
          ) -> None:
    EvaluationRollup.objects.create(day=day, org=org, matter=loc.matter, hall=loc.hall,
                                    window=window, channel="web", level_5=good, level_1=bad)


@pytest.fixture
def months(locality: SimpleNamespace) -> SimpleNamespace:
    """Three windows over July–September 2026: window 3 is worst every month."""
    loc = locality
    w2 = f.make_window(loc.hall, loc.market, number="2")
    w3 = f.make_window(loc.hall, loc.district_hr, number="3")
    for month in (7, 8, 9):
        _rate(loc, date(2026, month, 3), loc.market, loc.window, 9, 1)
        _rate(loc, date(2026, month, 20), loc.market, w2, 8, 2)
        _rate(loc, date(2026, month, 11), loc.district_hr, w3, 1, 4)
    _rate(loc, date(2026, 9, 12), loc.district_office, None, 1, 0)  # 样本不足
    rollup.derive_all()  # the rows above were written to the daily rollup directly
    return SimpleNamespace(loc=loc, w2=w2, w3=w3)


def test_department_ranking_of_a_month(months: SimpleNamespace, personas: Any) -> None:
    rows = ranking.ranking(actor_for_user(personas.admin), level=rr.Level.ORG,
                           period=Period.MONTH, day=date(2026, 9, 15), weights=W)
    loc = months.loc
    # market 17/20 satisfied → 85; district HR 1/5 → 20; district office 1 rating
    assert [(r.key, r.rank, r.composite) for r in rows] == [
        (loc.market.pk, 1, 85), (loc.district_hr.pk, 2, 20), (loc.district_office.pk, None,
                                                                None)]
    assert rows[2].status == "样本不足"


def test_a_handler_ranks_only_its_subtree(months: SimpleNamespace, personas: Any) -> None:
    rows = ranking.ranking(actor_for_user(personas.handler), level=rr.Level.WINDOW,
                           period=Period.QUARTER, day=date(2026, 8, 1), weights=W)
    assert [r.key for r in rows] == [months.loc.window.pk, months.w2.pk]


def test_windows_at_the_bottom_three_months_running_are_flagged(months: SimpleNamespace,
                                                                personas: Any) -> None:
    actor = actor_for_user(personas.supervisor)
    flags = ranking.bottom_flags(actor, level=rr.Level.WINDOW, last=date(2026, 9, 30),
                                 weights=W)
    assert [(f.key, f.ranks) for f in flags] == [(months.w3.pk, [3, 3, 3])]
    # August ends the streak two months in: not yet flagged
    assert ranking.bottom_flags(actor, level=rr.Level.WINDOW, last=date(2026, 8, 31),
                                weights=W) == []


def test_departments_long_at_the_bottom_are_flagged_too(months: SimpleNamespace,
                                                        personas: Any) -> None:
    """Seed 000 §15 names 行业、部门 as well as staff."""
    actor = actor_for_user(personas.supervisor)
    flags = ranking.bottom_flags(actor, level=rr.Level.ORG, last=date(2026, 9, 30),
                                 weights=W)
    assert [(f.key, f.ranks) for f in flags] == [(months.loc.district_hr.pk, [2, 2, 2])]


def test_matter_categories_are_ranked_as_industries(months: SimpleNamespace,
                                                    personas: Any) -> None:
    rows = ranking.ranking(actor_for_user(personas.admin), level=rr.Level.MATTER_CATEGORY,
                           period=Period.MONTH, day=date(2026, 9, 15), weights=W)
    category = months.loc.matter.category
    assert [(r.key, r.code, r.name, r.rank) for r in rows] == [
        (category, category, ranking.CATEGORIES[category], 1)]
    assert rows[0].counts.real_ratings == 26  # every September rating
    assert ranking.bottom_flags(actor_for_user(personas.admin),
                                level=rr.Level.MATTER_CATEGORY, last=date(2026, 9, 30),
                                weights=W) == []  # one ranked row is nobody's bottom


SETTINGS = {"satisfaction": 40, "participation": 30, "on_time_rectification": 20,
            "bad_review": 10, "min_sample": 20, "bottom_count": 5, "bottom_periods": 2}


@pytest.mark.parametrize("who", ["admin", "supervisor"])
def test_the_office_sets_weights_audited(personas: Any, who: str) -> None:
    actor = actor_for_user(getattr(personas, who))
    ranking.ranking_weights_set(actor=actor, now=NOW, **SETTINGS)
    assert ranking.current_weights() == rr.Weights(**SETTINGS)
    event = AuditEvent.objects.get(action="stats.ranking_weights_set")
    assert event.before["min_sample"] == 10
    assert event.after["min_sample"] == 20


@pytest.mark.parametrize("who", ["district_supervisor", "handler", "auditor"])
def test_others_may_not_set_weights(personas: Any, who: str) -> None:
    with pytest.raises(AppError) as refused:
        ranking.ranking_weights_set(actor=actor_for_user(getattr(personas, who)), now=NOW,
                                    **SETTINGS)
    assert refused.value.code == "forbidden.role"
    assert not RankingWeights.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(("change", "field"), [
    ({"satisfaction": 41}, "weights"), ({"bad_review": 101}, "bad_review"),
    ({"min_sample": 0}, "min_sample"), ({"bottom_periods": 99}, "bottom_periods")])
def test_bad_weights_are_refused_and_nothing_written(personas: Any, change: dict[str, int],
                                                     field: str) -> None:
    actor = actor_for_user(personas.admin)
    with pytest.raises(AppError) as refused:
        ranking.ranking_weights_set(actor=actor, now=NOW, **{**SETTINGS, **change})
    assert (refused.value.code, refused.value.field) == ("ranking.weights", field)
    assert not RankingWeights.objects.exists()
    assert not AuditEvent.objects.exists()
    assert ranking.current_weights() == rr.DEFAULT_WEIGHTS
