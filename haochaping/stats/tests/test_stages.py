"""Statistics by stage (环节): the breakdown of a scope and period's ratings by the stage
rated, its API and drill-down, and stage ratings in the roll-ups (counted as ratings for
their stage's staff, never as the handling's own rating)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.models import PolicyOverride
from haochaping.catalog.rules.codes import Stage
from haochaping.catalog.rules.standards import Channel
from haochaping.core.errors import ValidationError
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.tests import factories as ef
from haochaping.stats import rollup, selectors
from haochaping.stats.rules import Figure, Period, local_day
from haochaping.stats.stages import stage_figures
from haochaping.stats.tests.test_rollup_equals_raw import raw, snapshot, town  # noqa: F401
from tests import factories as f
from tests.factories import earlier_today

pytestmark = pytest.mark.django_db

FIVE = RatingInput(5, {"overall": 5}, ["510"])
FOUR = RatingInput(4, content_codes=["406"])
BAD = RatingInput(1, reason_codes=["108"], text="补正时又要求新的材料")
POOR = RatingInput(2, reason_codes=["207"], text="没有提供材料样本")


@pytest.fixture
def rated(town: SimpleNamespace,  # noqa: F811
          django_capture_on_commit_callbacks: Any) -> SimpleNamespace:
    """Two handlings of the market today (the town's policy: latest rating wins): one with
    its 申报 (taken at the hall's 综合窗口 by a clerk), 补正 and itself rated, one with
    only its 申报 rated, twice."""
    PolicyOverride.objects.create(org=None, key="ratable_stages",
                                  value=[s.value for s in Stage])
    loc = town.loc
    counter = f.make_window(loc.hall, loc.city_office, number="综合1")
    clerk = f.make_staff(loc.city_office, window=counter, name="刘芳")
    done = earlier_today(1)  # today, even just after local midnight
    first, second = (ef.make_handling(loc, client=town.source, rater=town.raters[0],
                                      completed_at=done) for _ in range(2))
    for h in (first, second):
        ef.make_stage(h, "apply", window=counter, staff=clerk)
    ef.make_stage(first, "amend")

    def rate(h: Any, rating: RatingInput, stage: str = "") -> Evaluation:
        with django_capture_on_commit_callbacks(execute=True):
            [row] = evaluation_submit(handling=h, rating=rating, channel=Channel.APP,
                                      stage=stage)
        return row

    rows = SimpleNamespace(apply=rate(first, FIVE, "apply"), amend=rate(first, BAD, "amend"),
                           whole=rate(first, FOUR), early=rate(second, POOR, "申报"),
                           late=rate(second, FOUR, "申报"))
    rollup.rollup_tick(timezone.now() + timedelta(minutes=1))
    today = local_day(timezone.now())
    admin = actor_for_user(town.people.admin)
    return SimpleNamespace(town=town, rows=rows, clerk=clerk, counter=counter, today=today,
                           admin=admin, first=first, second=second)


def _counts(row: Any) -> dict[str, int]:
    return {k: v for k, v in asdict(row.counts).items() if v}


def test_the_ratings_of_a_period_by_stage(rated: SimpleNamespace) -> None:
    rows = stage_figures(rated.admin, start=rated.today, end=rated.today)
    assert [(r.stage.value, r.name, _counts(r)) for r in rows] == [
        ("apply", "申报", {"level_5": 1, "level_4": 1, "superseded": 1}),
        ("amend", "补正", {"level_1": 1}),
        ("done", "办结", {"level_4": 1})]
    apply, amend, _ = rows
    assert apply.figures() == {Figure.SATISFACTION: 1.0, Figure.BAD_REVIEW: 0.0,
                               Figure.AVERAGE_SCORE: 4.5}
    assert amend.figures()[Figure.BAD_REVIEW] == 1.0
    only = stage_figures(rated.admin, start=rated.today, end=rated.today,
                         key={"stage": "补正"})
    assert [r.stage for r in only] == [Stage.AMEND]
    elsewhere = stage_figures(rated.admin, start=rated.today, end=rated.today,
                              key={"org": rated.town.loc.district_hr.pk})
    assert elsewhere == []


def test_stage_ratings_in_the_roll_ups(rated: SimpleNamespace) -> None:
    """A stage rating counts as a rating (for its stage's staff), never as the handling's
    own: 参评率 counts the one handling rated as a whole; the roll-ups equal the rows."""
    total = selectors.figures(rated.admin, group_by=(), period=Period.DAY, start=rated.today,
                              end=rated.today, compare_previous=False)[0].counts
    rows = stage_figures(rated.admin, start=rated.today, end=rated.today)
    assert [total.level(v) for v in (5, 4, 3, 2, 1)] == [
        sum(r.counts.level(v) for r in rows) for v in (5, 4, 3, 2, 1)]
    assert (total.superseded, total.completed, total.rated_real) == (1, 2, 1)
    by_staff = {r.key["staff"]: r.counts for r in selectors.figures(
        rated.admin, group_by=("staff",), period=Period.DAY, start=rated.today,
        end=rated.today, compare_previous=False)}
    assert (by_staff[rated.clerk.pk].level_5, by_staff[rated.clerk.pk].level_4) == (1, 1)
    assert snapshot() == raw()


def _api(user: Any, path: str, **params: Any) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(f"/api/v1/stats/{path}", params)


def test_the_stages_api_and_its_drill_down(rated: SimpleNamespace) -> None:
    supervisor, day = rated.town.people.supervisor, rated.today.isoformat()
    response = _api(supervisor, "stages", start=day, end=day)
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(r["stage"], r["name"], r["counts"]["level_5"], r["figures"]["satisfaction_rate"])
            for r in body["rows"]] == [("apply", "申报", 1, 1.0), ("amend", "补正", 0, 0.0),
                                       ("done", "办结", 0, 1.0)]
    assert body["total"]["counts"]["level_1"] == 1
    assert body["total"]["figures"]["bad_review_rate"] == 0.25
    bad = _api(supervisor, "drilldown", start=day, end=day, figure="bad_reviews",
               stage="amend").json()
    assert bad["evaluation_ids"] == [rated.rows.amend.pk]
    whole = _api(supervisor, "drilldown", start=day, end=day, figure="real_ratings",
                 stage="done").json()
    assert whole["evaluation_ids"] == [rated.rows.whole.pk]
    applied = _api(supervisor, "drilldown", start=day, end=day, figure="superseded",
                   stage="申报").json()
    assert applied["evaluation_ids"] == [rated.rows.early.pk]


@pytest.mark.parametrize(("path", "params", "code"), [
    ("stages", {"start": "2026-03-02", "end": "2026-03-01"}, "stats.range"),
    ("drilldown", {"start": "2026-03-01", "end": "2026-03-02", "figure": "real_ratings",
                   "stage": "受理"}, "stats.stage"),
    ("stages", {"start": "2026-03-01"}, "invalid_request"),
])
def test_bad_requests_are_refused_in_chinese(rated: SimpleNamespace, path: str,
                                             params: dict[str, str], code: str) -> None:
    response = _api(rated.town.people.supervisor, path, **params)
    assert (response.status_code, response.json()["code"]) == (422, code)
    assert not response.json()["message"].isascii()


def test_only_the_actor_s_subtree_is_counted(rated: SimpleNamespace) -> None:
    outsider = actor_for_user(rated.town.people.district_supervisor)
    assert stage_figures(outsider, start=rated.today, end=rated.today) == []
    with pytest.raises(ValidationError):
        stage_figures(rated.admin, start=rated.today, end=rated.today, key={"nope": 1})
