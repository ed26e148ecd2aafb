"""The dirty-bucket triggers (stats.triggers) and their claim (stats.rollup.dirty): what
a write marks, what it does not, and what a claim takes."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.utils import timezone

from haochaping.handlings.models import Handling
from haochaping.stats.models import DirtyBucket
from haochaping.stats.rollup import dirty
from haochaping.stats.rules import local_day
from haochaping.stats.tests.test_rollup_equals_raw import (  # noqa: F401
    START,
    Simulation,
    town,
)

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
MARKET = 0


def _marked() -> set[tuple[Any, int]]:
    return {(row.day, row.org_id) for row in DirtyBucket.objects.all()}


def test_a_rating_marks_its_bucket_and_its_handlings_and_nothing_else(
        town: SimpleNamespace, django_capture_on_commit_callbacks: Any) -> None:  # noqa: F811
    sim = Simulation(town, 1, django_capture_on_commit_callbacks, START)
    handling = sim.complete(MARKET)
    org = town.loc.market.pk
    assert _marked() == {(local_day(sim.now), org)}
    DirtyBucket.objects.all().delete()
    sim.now += timedelta(days=2)  # rated two days after completion
    sim.rate(handling, level=5)
    assert _marked() == {(local_day(sim.now), org),
                         (local_day(sim.now - timedelta(days=2)), org)}
    DirtyBucket.objects.all().delete()
    # columns no roll-up reads fire nothing (the hot path's rated_at, deadlines)
    Handling.objects.filter(pk=handling.pk).update(rated_at=timezone.now(),
                                                   default_due_at=None)
    assert not DirtyBucket.objects.exists()


def test_a_correction_marks_the_bucket_left_and_the_one_entered(
        town: SimpleNamespace, django_capture_on_commit_callbacks: Any) -> None:  # noqa: F811
    sim = Simulation(town, 2, django_capture_on_commit_callbacks, START)
    handling = sim.complete(MARKET)
    DirtyBucket.objects.all().delete()
    sim.tick()
    sim.correct([sim.corrected_item(handling, place=1, days_earlier=2)])
    assert _marked() >= {(local_day(START), town.loc.market.pk),
                         (local_day(START - timedelta(days=2)), town.loc.district_hr.pk)}


def test_a_claim_takes_the_rows_and_returns_their_buckets(
        town: SimpleNamespace, django_capture_on_commit_callbacks: Any) -> None:  # noqa: F811
    sim = Simulation(town, 3, django_capture_on_commit_callbacks, START)
    for _ in range(3):
        sim.complete()
        sim.now += timedelta(days=1)
    marked = _marked()
    assert len(marked) == 3
    first = dirty.claim(2)
    assert len(first) == 2
    assert set(dirty.claim(10)) == marked - set(first)
    assert dirty.pending() == 0
    sim.complete()  # rows committed after a claim wait for the next one
    assert dirty.pending() == 1
    # keyed by the writing transaction on PostgreSQL; SQLite's writers never overlap
    assert {row.writer == 0 for row in DirtyBucket.objects.all()} == {not ON_POSTGRES}
