"""The default-rating sweep (seed 000 §11) by advancing time."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from haochaping.catalog.models import PolicyOverride
from haochaping.catalog.rules.standards import Channel
from haochaping.core.engine.worker import run_due
from haochaping.core.jobs import JOBS
from haochaping.evaluations import services
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.rules import RatingInput
from haochaping.handlings.models import Handling

pytestmark = pytest.mark.django_db


@pytest.fixture
def due(world: SimpleNamespace) -> SimpleNamespace:
    """Five completed handlings whose default rating falls due in 7 days (basic level 3)."""
    PolicyOverride.objects.create(org=None, key="default_rating_level", value=3)
    start = timezone.now()
    handlings = [world.handling(default_due_at=start + timedelta(days=7, minutes=i))
                 for i in range(5)]
    return SimpleNamespace(start=start, handlings=handlings, world=world)


def sweep_at(moment: Any, **kw: Any) -> str:
    with time_machine.travel(moment, tick=False):
        return services.sweep_default_ratings(timezone.now(), **kw)


def test_nothing_before_the_due_time(due: SimpleNamespace) -> None:
    sweep_at(due.start + timedelta(days=6, hours=23))
    assert not Evaluation.objects.exists()


def test_advancing_time_creates_exactly_the_default_ratings(due: SimpleNamespace) -> None:
    sweep_at(due.start + timedelta(days=7, minutes=2, seconds=30))
    rows = Evaluation.objects.order_by("handling_id")
    assert [r.handling_id for r in rows] == [h.pk for h in due.handlings[:3]]
    assert {(r.level, r.is_default, r.channel, r.is_current) for r in rows} == {
        (3, True, "default", True)}
    assert Handling.objects.filter(pk__in=[h.pk for h in due.handlings[:3]],
                                   rated_at__isnull=False, default_due_at=None).count() == 3
    sweep_at(due.start + timedelta(days=8))
    sweep_at(due.start + timedelta(days=8))  # a second run creates none more
    assert Evaluation.objects.count() == 5


def test_a_real_rating_before_the_due_time_prevents_the_default(due: SimpleNamespace) -> None:
    first = due.handlings[0]
    services.evaluation_submit(handling=first, rating=RatingInput(2, text="办理时间太长了"),
                               channel=Channel.WEB)
    sweep_at(due.start + timedelta(days=8))
    assert Evaluation.objects.filter(handling=first).count() == 1
    assert Evaluation.objects.get(handling=first).level == 2
    assert Evaluation.objects.filter(is_default=True).count() == 4


def test_a_real_rating_after_the_default_replaces_it(due: SimpleNamespace) -> None:
    sweep_at(due.start + timedelta(days=8))
    h = due.handlings[0]
    [real] = services.evaluation_submit(handling=h, rating=RatingInput(5), channel=Channel.APP)
    default = Evaluation.objects.get(handling=h, is_default=True)
    assert not default.is_current
    assert real.is_current
    assert real.assess_number == 1


def test_no_default_level_in_the_policy_means_no_default(due: SimpleNamespace) -> None:
    PolicyOverride.objects.filter(key="default_rating_level").delete()  # national: none
    sweep_at(due.start + timedelta(days=8))
    assert not Evaluation.objects.exists()
    assert not Handling.objects.filter(default_due_at__isnull=False).exists()


def test_a_crash_mid_batch_loses_nothing(due: SimpleNamespace,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    real_insert = services.insert_default_rating
    calls = {"n": 0}

    def crashing(*args: Any, **kwargs: Any) -> Evaluation:
        calls["n"] += 1
        if calls["n"] > 2:
            raise RuntimeError("worker killed")
        return real_insert(*args, **kwargs)

    monkeypatch.setattr(services, "insert_default_rating", crashing)
    with pytest.raises(RuntimeError):
        sweep_at(due.start + timedelta(days=8), batch_size=2)
    assert Evaluation.objects.count() == 2
    # The row being processed when the worker died kept its deadline (claim rolled back).
    assert Handling.objects.filter(default_due_at__isnull=False).count() == 3
    monkeypatch.setattr(services, "insert_default_rating", real_insert)
    sweep_at(due.start + timedelta(days=8), batch_size=2)
    assert sorted(Evaluation.objects.values_list("handling_id", flat=True)) == sorted(
        h.pk for h in due.handlings)


def test_a_row_claimed_by_another_worker_is_skipped(due: SimpleNamespace) -> None:
    h = due.handlings[0]
    old = h.default_due_at
    Handling.objects.filter(pk=h.pk).update(default_due_at=None)  # the other worker's claim
    version = services.active_standard()
    assert not services._default_one(h.pk, old, version=version, policies={},
                                      now=timezone.now())
    assert not Evaluation.objects.exists()


def test_the_job_is_declared_and_runs(due: SimpleNamespace) -> None:
    assert any(j.task == "haochaping.evaluations.tasks.default_ratings" for j in JOBS)
    job = next(j for j in JOBS if j.name == "evaluations.default_ratings")
    with time_machine.travel(due.start + timedelta(days=8), tick=False):
        ran = run_due(timezone.now(), (job,))
    assert ran == {"evaluations.default_ratings": "5 due, 1 chunks"}
    assert Evaluation.objects.filter(is_default=True).count() == 5
