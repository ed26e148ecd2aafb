"""The complaint figures (seed 004 §7–§8): formulas, drill-down to exactly the counted
rows, the dashboard panel (scoped, nothing confidential), first-touch time."""

from __future__ import annotations

from datetime import datetime, timedelta
from fractions import Fraction
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.rules.calendar import SHANGHAI
from haochaping.complaints.models import Submission
from haochaping.stats import drill_items, rollup, rules, selectors
from haochaping.stats import ranking_rules as rr
from haochaping.stats.rules import Counts, Figure, Period
from haochaping.stats.tests.items import START, TEXTS, item_history


def test_formulas_and_empty_denominators() -> None:
    empty = Counts()
    for figure in (Figure.COMPLAINED, Figure.ITEM_ON_TIME, Figure.SPOT_SATISFACTION,
                   Figure.ACCEPTANCE):
        assert rules.figure(empty, figure) is None
        assert rules.FORMULAS[figure](empty) is None
    c = Counts(completed=40, complaints_accepted=2, items_closed=4, items_closed_on_time=3,
               spot_reached=5, spot_satisfied=4, items_accepted=9, items_refused=1,
               items_inquiry=3, items_complaint=4, items_comment=3)
    assert rules.figure(c, Figure.COMPLAINED) == Fraction(1, 20)
    assert rules.figure(c, Figure.ITEM_ON_TIME) == Fraction(3, 4)
    assert rules.FORMULAS[Figure.SPOT_SATISFACTION](c) == Fraction(4, 5)
    assert rules.figure(c, Figure.ACCEPTANCE) == Fraction(9, 10)
    assert c.items == 10
    # linear, so the database computes the same quotient (figure_table)
    assert rules.coefficients(Figure.ACCEPTANCE) == (
        {"items_accepted": 1}, {"items_accepted": 1, "items_refused": 1})


def test_first_touch_median_and_share() -> None:
    assert rules.first_touch([]) == (None, None)
    assert rules.first_touch([(2.0, True), (30.0, False), (1.0, True)]) == (2.0,
                                                                             Fraction(2, 3))
    assert rules.first_touch([(1.0, True), (3.0, True)]) == (2.0, Fraction(1))


def test_ranking_weights_include_the_complaint_figures() -> None:
    assert {Figure.COMPLAINED, Figure.ITEM_ON_TIME, Figure.SPOT_SATISFACTION} <= set(
        rr.COMPONENTS)
    assert rr.COMPONENTS[Figure.COMPLAINED] is False  # lower is better
    w = rr.Weights(satisfaction=50, participation=0, on_time_rectification=0, bad_review=0,
                   min_sample=1, complained=30, item_on_time=20)
    assert rr.weight_errors(w) == []
    assert rr.weight_errors(rr.Weights(complained=5)) == [("weights", "各项权重之和须为 100")]
    good = Counts(level_5=10, completed=100, complaints_accepted=1, items_closed=2,
                  items_closed_on_time=2)
    bad = Counts(level_5=10, completed=100, complaints_accepted=20, items_closed=2,
                 items_closed_on_time=1)
    ranked = rr.rank([rr.Candidate("b", "B", "乙", bad), rr.Candidate("g", "G", "甲", good)], w)
    assert [r.key for r in ranked] == ["g", "b"]
    # 1 − 被投诉率 at weight 30, 按期办结率 at weight 20, 满意率 at weight 50
    assert ranked[0].composite == Fraction(100) * (50 + 30 * Fraction(99, 100) + 20) / 100
    many = Counts(level_5=1, completed=1, complaints_accepted=3)
    assert rr.components(many)[Figure.COMPLAINED] == 0  # never below 0


@pytest.fixture
def history(locality: SimpleNamespace, personas: SimpleNamespace) -> SimpleNamespace:
    h = item_history(locality, personas)
    rollup.rollup_tick(h.end)
    return h


def _span(h: SimpleNamespace) -> dict[str, Any]:
    return {"start": rules.local_day(START), "end": rules.local_day(h.end + timedelta(days=2))}


@pytest.mark.django_db
def test_drill_returns_exactly_the_counted_rows(history: SimpleNamespace,
                                                personas: SimpleNamespace,
                                                locality: SimpleNamespace) -> None:
    span = _span(history)
    for user in (personas.supervisor, personas.district_supervisor):
        actor = actor_for_user(user)
        counts = selectors.figures(actor, group_by=(), period=Period.YEAR, **span)[0].counts
        for figure in drill_items.ITEM_FIGURES:
            rows = list(drill_items.item_rows(actor, figure=figure, **span))
            assert len(rows) == getattr(counts, figure), (user, figure)
        by_org = selectors.figures(actor, group_by=("org",), period=Period.YEAR, **span)
        for row in by_org:
            got = drill_items.item_rows(actor, figure="items_complaint", key={
                "org": row.key["org"]}, **span)
            assert got.count() == row.counts.items_complaint
    district = list(drill_items.item_rows(actor_for_user(personas.district_supervisor),
                                          figure="items_accepted", **span))
    assert {r["cx_org"] for r in district} <= {locality.district_hr.pk,
                                              locality.district_office.pk}
    assert all(set(r) <= {"ref", "kind", "status", "cx_org", "received_at", "closed_at"}
               for r in district)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_panel_and_drill_pages_show_no_content_or_submitter(
        history: SimpleNamespace, personas: SimpleNamespace) -> None:
    span = _span(history)
    Submission.objects.update(cause="materials")  # 举一反三 ranks items of one cause
    params = {"period": "month", "start": span["start"].replace(day=1).isoformat(),
              "end": span["end"].isoformat()}
    html = _client(personas.supervisor).get(reverse("stats:dashboard"), params).text
    assert 'data-testid="items-panel"' in html
    assert 'data-testid="items-total">8<' in html
    for label in ("被投诉率", "抽查回访满意率", "按期办结率", "受理率", "首次响应时间"):
        assert label in html
    assert 'data-testid="items-matters"' in html
    assert "食品经营许可" in html
    district = _client(personas.district_supervisor).get(reverse("stats:dashboard"),
                                                         params).text
    assert 'data-testid="items-total">8<' not in district
    pages = [html, district]
    for figure in drill_items.ITEM_FIGURES:
        response = _client(personas.supervisor).get(reverse("stats:drill_items"),
                                                    {**params, "figure": figure})
        assert response.status_code == 200
        pages.append(response.text)
    assert history.complaint.ref in pages[2 + list(drill_items.ITEM_FIGURES).index(
        "complaints_accepted")]
    for text in pages:
        for content in TEXTS:
            assert content[:12] not in text
        assert "p-complaint" not in text  # the phone index
        assert "王晓明" not in text  # a subject staff member is never named
    bad = _client(personas.supervisor).get(reverse("stats:drill_items"),
                                           {**params, "figure": "content"})
    assert bad.status_code == 422


@pytest.mark.django_db
def test_first_touch_from_rows(history: SimpleNamespace, personas: SimpleNamespace) -> None:
    span = _span(history)
    median, share, measured = drill_items.first_touch(actor_for_user(personas.supervisor),
                                                      **span)
    # the one signed order: received 09:00, dispatched 12:00, signed 14:00 the same day
    assert (median, share, measured) == (5.0, Fraction(1), 1)
    assert history.order.__class__.objects.get(pk=history.order.pk).first_touch_at == (
        datetime(2026, 10, 12, 14, 0, tzinfo=SHANGHAI))
    assert drill_items.first_touch(actor_for_user(personas.district_supervisor),
                                   **span) == (None, None, 0)
