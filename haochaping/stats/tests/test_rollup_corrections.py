"""A business system's correction of a completed handling (another department, another
completion day) is rolled up by the next incremental run both where the handling went
and where it was (issue 5: the roll-ups lag raw rows by at most one minute, not until
the nightly repair), on the intake's single-item and bulk write paths."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haochaping.core import bulk
from haochaping.handlings.models import Handling, HandlingMove
from haochaping.stats import rollup
from haochaping.stats.models import HandlingRollup, OrgDayRollup
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

MARKET, HR = 0, 1  # town.places


def completed_at_market(sim: Simulation, count: int) -> list[Handling]:
    """``count`` market handlings, every third rated (a bad review opens an order), all
    rolled up."""
    handlings = []
    for n in range(count):
        handlings.append(sim.complete(MARKET))
        if n % 3 == 0:
            sim.tick()
            sim.rate(handlings[-1], level=1 + n % 5)
        sim.tick()
    sim.roll()  # first run: rebuilds
    return handlings


def completed(org_id: int, day: Any) -> int:
    return sum(HandlingRollup.objects.filter(org_id=org_id, day=day)
               .values_list("completed", flat=True))


# One item goes through multi-row VALUES; COPY_FROM_ROWS and more through COPY and
# UPDATE … FROM a staged table on PostgreSQL (core.bulk).
@pytest.mark.parametrize("count", [1, bulk.COPY_FROM_ROWS + 10])
def test_a_correction_leaves_its_old_bucket_in_the_same_run(
        town: SimpleNamespace, django_capture_on_commit_callbacks: Any,  # noqa: F811
        count: int) -> None:
    sim = Simulation(town, 21, django_capture_on_commit_callbacks, START)
    handlings = completed_at_market(sim, count)
    market, hr = town.loc.market.pk, town.loc.district_hr.pk
    old_days = {local_day(h.completed_at) for h in handlings}
    assert sum(completed(market, day) for day in old_days) == count
    sim.tick()
    # another department and a completion two days earlier, all in one intake call
    sim.correct([sim.corrected_item(h, place=HR, days_earlier=2) for h in handlings])
    assert HandlingMove.objects.count() == count
    assert set(Handling.objects.values_list("org_id", flat=True)) == {hr}
    sim.tick()
    assert rollup.rollup_tick(sim.now).startswith("recomputed")  # no nightly repair
    expected = raw()
    assert snapshot() == expected
    assert coarse_stored() == coarse_of(expected)
    for day in old_days:  # the department and days it left count it no longer
        assert completed(market, day) == 0
        assert not OrgDayRollup.objects.filter(org_id=market, day=day, completed__gt=0)
    assert sum(HandlingRollup.objects.filter(org_id=hr).values_list("completed",
                                                                      flat=True)) == count


def _move_statements(run: Any) -> list[str]:
    table = HandlingMove._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        run()
    return [q["sql"] for q in queries.captured_queries if table in q["sql"]]


def test_a_correction_within_its_bucket_records_no_move(
        town: SimpleNamespace, django_capture_on_commit_callbacks: Any) -> None:  # noqa: F811
    """A corrected window, staff or matter keeps the handling in its (day, org) bucket:
    the intake sends no statement for moves, and the run still moves its row there."""
    sim = Simulation(town, 22, django_capture_on_commit_callbacks, START)
    handlings = completed_at_market(sim, 3)
    sim.tick()
    items = []
    for h in handlings:  # online now (no window, no staff), completed at the same time
        assert h.completed_at is not None
        item = sim.corrected_item(h, place=MARKET, days_earlier=0)
        item.pop("window_code", None)
        item.pop("staff_no", None)
        item.update(service_channel="online", completed_at=h.completed_at.isoformat(),
                    accepted_at=(h.completed_at - timedelta(hours=1)).isoformat())
        items.append(item)
    assert _move_statements(lambda: sim.correct(items)) == []
    assert not HandlingMove.objects.exists()
    sim.tick()
    sim.roll()
    expected = raw()
    assert snapshot() == expected
    assert coarse_stored() == coarse_of(expected)


def test_the_moves_of_one_call_are_written_in_one_statement(
        town: SimpleNamespace, django_capture_on_commit_callbacks: Any) -> None:  # noqa: F811
    sim = Simulation(town, 23, django_capture_on_commit_callbacks, START)
    handlings = completed_at_market(sim, 4)
    sim.tick()
    statements = _move_statements(lambda: sim.correct(
        [sim.corrected_item(h, place=HR, days_earlier=1) for h in handlings]))
    assert len(statements) == 1
    assert HandlingMove.objects.count() == 4
