"""Changes that move a work order out of its roll-up row are rolled up by the next
incremental run, both where it went and where it was (issue 5: the roll-ups lag raw rows
by at most one minute, not until the nightly repair)."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.stats import rollup
from haochaping.stats.models import DirtyBucket, OrgDayRollup, WorkOrderRollup
from haochaping.stats.rules import local_day
from haochaping.stats.tests.test_rollup_equals_raw import (  # noqa: F401
    START,
    Simulation,
    coarse_of,
    coarse_stored,
    raw,
    snapshot,
    town,
)
from haochaping.workorders.models import WorkOrder
from tests import factories as f

MARKET, HR = 0, 1  # town.places


def orders_by_org() -> Counter[int]:
    found = Counter[int]()
    for model in (WorkOrderRollup, OrgDayRollup):
        for org_id, orders in model.objects.values_list("org_id", "orders"):
            found[org_id] += orders
    return found


def bad_order(sim: Simulation) -> WorkOrder:
    """A bad review of a market handling, its order opened, everything rolled up."""
    handling = sim.complete(MARKET)
    sim.tick()
    sim.rate(handling, level=1)
    sim.tick()
    sim.roll()  # first run: rebuilds
    order = WorkOrder.objects.get(handling=handling)
    assert order.org_id == sim.town.loc.market.pk
    return order


@pytest.mark.parametrize("route", [[HR], [HR, MARKET], [HR, MARKET, HR]])
def test_a_redispatch_leaves_the_old_orgs_bucket_in_the_next_run(
        town: SimpleNamespace, django_capture_on_commit_callbacks: Any,  # noqa: F811
        route: list[int]) -> None:
    sim = Simulation(town, 5, django_capture_on_commit_callbacks, START)
    order = bad_order(sim)
    market, hr = town.loc.market.pk, town.loc.district_hr.pk
    assert orders_by_org() == Counter({market: 2})  # daily row + org × day row
    for place in route:  # all between two runs
        sim.tick()
        with sim.writing():
            sim.redispatch(order, org_id=town.places[place]["org"].pk)
    sim.tick()
    assert rollup.rollup_tick(sim.now).startswith("recomputed")
    expected = raw()
    assert snapshot() == expected
    assert coarse_stored() == coarse_of(expected)
    now_at = town.places[route[-1]]["org"].pk
    assert +orders_by_org() == Counter({now_at: 2})
    assert {market, hr} - {now_at}  # one of the two orgs lost the order


def test_a_redispatch_with_other_changes_of_the_old_org_in_the_same_run(
        town: SimpleNamespace, django_capture_on_commit_callbacks: Any) -> None:  # noqa: F811
    """The old org's bucket keeps its other orders, including one opened meanwhile."""
    sim = Simulation(town, 6, django_capture_on_commit_callbacks, START)
    order = bad_order(sim)
    other = sim.complete(MARKET)
    sim.tick()
    with sim.writing():
        sim.redispatch(order, org_id=town.loc.district_hr.pk)
    sim.rate(other, level=2)
    sim.tick()
    sim.roll()
    expected = raw()
    assert snapshot() == expected
    assert coarse_stored() == coarse_of(expected)
    assert +orders_by_org() == Counter({town.loc.market.pk: 2, town.loc.district_hr.pk: 2})


def test_a_corrected_window_moves_the_order_within_its_bucket(
        town: SimpleNamespace, django_capture_on_commit_callbacks: Any) -> None:  # noqa: F811
    """An order's row is keyed by its handling's window (and hall, staff, matter): the
    business system's correction of the handling moves it in the next run."""
    sim = Simulation(town, 7, django_capture_on_commit_callbacks, START)
    order = bad_order(sim)
    handling = order.handling
    assert handling is not None
    second = f.make_window(town.loc.hall, town.loc.market, number="2")
    sim.tick()
    with sim.writing():  # updated_at is auto_now: the correction's time
        handling.window = second
        handling.save(update_fields=["window", "updated_at"])
    sim.tick()
    sim.roll()
    expected = raw()
    assert snapshot() == expected
    assert coarse_stored() == coarse_of(expected)
    assert WorkOrderRollup.objects.get(orders=1).window_id == second.pk


def test_a_redispatch_marks_the_bucket_it_left_in_its_transaction(
        town: SimpleNamespace, django_capture_on_commit_callbacks: Any) -> None:  # noqa: F811
    """The work-order trigger (stats.triggers) records the old org's bucket and the new
    one in the redispatch's own transaction: no event needs reading afterwards."""
    sim = Simulation(town, 8, django_capture_on_commit_callbacks, START)
    order = bad_order(sim)
    sim.tick()
    sim.roll()
    assert not DirtyBucket.objects.exists()
    with sim.writing():
        sim.redispatch(order, org_id=town.loc.district_hr.pk)
    day = local_day(order.created_at)
    assert {(b.day, b.org_id) for b in DirtyBucket.objects.all()} >= {
        (day, town.loc.market.pk), (day, town.loc.district_hr.pk)}
