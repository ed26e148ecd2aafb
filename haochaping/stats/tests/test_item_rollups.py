"""The complaint roll-ups equal a plain recomputation from raw rows, after the first
build, after later changes (dirty buckets) and after a month rebuild (seed 004 §8)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from haochaping.accounts.scoping import actor_for_user
from haochaping.complaints.models import SpotCheck
from haochaping.complaints.rules.kinds import Status
from haochaping.complaints.services.moves import submission_move
from haochaping.stats import rollup, rules, selectors, services
from haochaping.stats.models import (
    ItemCloseRollup,
    ItemRollup,
    OrgDayRollup,
    OrgMonthRollup,
    SpotCheckRollup,
)
from haochaping.stats.rules import Counts, Figure, Period
from haochaping.stats.tests.items import item_history, raw_items, stored
from haochaping.workorders.services import workorder_redispatch

pytestmark = pytest.mark.django_db

ITEM = ("items_inquiry", "items_complaint", "items_suggestion", "items_bad_review",
        "items_comment", "items_accepted", "items_refused", "complaints_accepted")
CLOSE = ("items_closed", "items_closed_on_time")
SPOT = ("spot_reached", "spot_satisfied")


def assert_equal_to_raw() -> None:
    received, closed, spots = raw_items()
    assert stored(ItemRollup, ITEM) == received
    assert stored(ItemCloseRollup, CLOSE) == closed
    assert stored(SpotCheckRollup, SPOT) == spots
    # the coarse tables carry the same sums per (day, org)
    for name in (*ITEM, *CLOSE, *SPOT):
        raw = sum(c[name] for t in (received, closed, spots) for c in t.values())
        assert sum(getattr(r, name) for r in OrgDayRollup.objects.all()) == raw, name
        assert sum(getattr(r, name) for r in OrgMonthRollup.objects.all()) == raw, name


def test_rollups_equal_raw_rows_after_build_changes_and_rebuild(
        locality: SimpleNamespace, personas: SimpleNamespace) -> None:
    h = item_history(locality, personas)
    rollup.rollup_tick(h.end)  # first run: builds everything
    assert_equal_to_raw()
    received, closed, spots = raw_items()
    assert sum(c["items_refused"] for c in received.values()) == 1
    assert sum(c["items_closed"] - c["items_closed_on_time"] for c in closed.values()) == 1
    assert sum(c["spot_satisfied"] for c in spots.values()) == 1
    # later changes reach the roll-ups through the dirty buckets alone
    later = h.end + timedelta(days=1)
    submission_move(h.refused, Status.ACCEPTED, action="overturn", now=later)
    workorder_redispatch(actor=actor_for_user(personas.supervisor), order=h.moved_order,
                         org_id=locality.market.pk, now=later)
    SpotCheck.objects.filter(submission=h.late).update(satisfied=True)
    submission_move(h.moved, Status.ANSWERED, action="answer", now=later)
    submission_move(h.moved, Status.CLOSED, action="close", now=later)
    rollup.rollup_tick(later)
    assert_equal_to_raw()
    assert sum(r.items_refused for r in ItemRollup.objects.all()) == 0
    # per-month rebuilds write the same rows again, from nothing
    before = stored(ItemRollup, ITEM), stored(ItemCloseRollup, CLOSE)
    for model in (ItemRollup, ItemCloseRollup, SpotCheckRollup, OrgDayRollup, OrgMonthRollup):
        model.objects.all().delete()
    for year, month in services.rebuild_plan():
        services.rebuild_month(year, month)
    assert (stored(ItemRollup, ITEM), stored(ItemCloseRollup, CLOSE)) == before
    assert_equal_to_raw()


def test_items_follow_the_org_of_their_order(locality: SimpleNamespace,
                                             personas: SimpleNamespace) -> None:
    h = item_history(locality, personas)
    rollup.rollup_tick(h.end)
    on = {r.org_id for r in ItemRollup.objects.filter(items_complaint__gt=0)}
    # the moved complaint's subject is the market, its order now the district's bureau
    assert locality.district_hr.pk in on
    assert h.moved.org_id == locality.market.pk
    # the comment names no org: its receiving office
    assert ItemRollup.objects.get(items_comment=1).org_id == h.comment.office_id


def test_scoped_figures_from_the_rollups(locality: SimpleNamespace,
                                         personas: SimpleNamespace) -> None:
    h = item_history(locality, personas)
    rollup.rollup_tick(h.end)
    first, last = h.complaint.received_at, h.end
    def total(user: object) -> Counts:
        rows = selectors.figures(actor_for_user(user), group_by=(), period=Period.YEAR,
                                 start=rules.local_day(first), end=rules.local_day(last))
        return rows[0].counts
    whole = total(personas.supervisor)
    assert whole.items == 8
    assert (whole.items_accepted, whole.items_refused) == (7, 1)  # none waits for triage
    district = total(personas.district_supervisor)
    assert 0 < district.items < whole.items
    assert rules.figure(whole, Figure.ACCEPTANCE) == rules.Fraction(
        whole.items_accepted, whole.items_accepted + whole.items_refused)
