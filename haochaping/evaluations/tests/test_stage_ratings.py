"""Ratings of a stage (环节) of a handling through evaluation_submit, against the
database: who they count for, one current rating per stage beside the handling's own,
refusals that write nothing, and the handling's sweeps left as they were."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from haochaping.catalog.models import PolicyOverride
from haochaping.catalog.rules.standards import Channel
from haochaping.core.errors import AppError
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit, sweep_default_ratings
from haochaping.evaluations.tests.factories import make_stage, snapshot
from haochaping.handlings.models import Handling
from tests import factories as f

pytestmark = pytest.mark.django_db

GOOD = RatingInput(5, {"overall": 5}, ["510"])
BAD = RatingInput(2, reason_codes=["207"], text="补正材料清单不清楚")
RATABLE = ["apply", "amend", "pay", "done"]


def policy(**values: object) -> None:
    for key, value in values.items():
        PolicyOverride.objects.create(org=None, key=key, value=value)


def refused(code: str, status: int, **kw: object) -> AppError:
    before = snapshot()
    with pytest.raises(AppError) as exc:
        evaluation_submit(**kw)  # type: ignore[arg-type]
    assert (exc.value.code, exc.value.status) == (code, status)
    assert not exc.value.message.isascii()
    assert snapshot() == before
    return exc.value


@pytest.fixture
def staged(world: SimpleNamespace) -> SimpleNamespace:
    """A handling at the market's window whose 申报 was taken at the hall's 综合窗口 by
    another staff member, and whose 补正 names nobody."""
    policy(ratable_stages=RATABLE)
    counter = f.make_window(world.loc.hall, world.loc.city_office, number="综合1")
    clerk = f.make_staff(world.loc.city_office, window=counter, name="刘芳")
    now = timezone.now()
    h = world.handling(invite_due_at=now + timedelta(days=1),
                       default_due_at=now + timedelta(days=7))
    apply = make_stage(h, "apply", window=counter, staff=clerk)
    amend = make_stage(h, "amend")
    return SimpleNamespace(h=h, apply=apply, amend=amend, counter=counter, clerk=clerk)


def test_a_stage_rating_counts_for_who_served_that_stage(staged: SimpleNamespace) -> None:
    h = staged.h
    [row] = evaluation_submit(handling=h, rating=GOOD, channel=Channel.APP, stage="申报")
    assert row.stage_id == staged.apply.pk
    assert (row.window_id, row.hall_id, row.staff_id) == (
        staged.counter.pk, staged.counter.hall_id, staged.clerk.pk)
    assert (row.org_id, row.matter_id, row.rater_id) == (h.org_id, h.matter_id, h.rater_id)
    [amended] = evaluation_submit(handling=h, rating=BAD, channel=Channel.APP, stage="amend")
    # a stage that names nobody counts for the handling's window and staff
    assert (amended.window_id, amended.staff_id) == (h.window_id, h.staff_id)
    # the handling as a whole is still unrated: its invitation and default rating stand
    fresh = Handling.objects.get(pk=h.pk)
    assert (fresh.rated_at, fresh.invite_due_at, fresh.default_due_at) == (
        None, h.invite_due_at, h.default_due_at)
    [whole] = evaluation_submit(handling=h, rating=GOOD, channel=Channel.APP)
    assert (whole.stage_id, whole.window_id, whole.staff_id) == (None, h.window_id, h.staff_id)
    assert Handling.objects.get(pk=h.pk).rated_at == whole.created_at
    assert Evaluation.objects.filter(handling=h, is_current=True).count() == 3


@pytest.mark.parametrize("name", ["done", "办结"])
def test_rating_done_is_rating_the_handling(staged: SimpleNamespace, name: str) -> None:
    [row] = evaluation_submit(handling=staged.h, rating=GOOD, channel=Channel.WEB, stage=name)
    assert row.stage_id is None
    assert Handling.objects.get(pk=staged.h.pk).rated_at == row.created_at


def test_refusals_write_nothing(staged: SimpleNamespace, world: SimpleNamespace) -> None:
    h = staged.h
    refused("evaluation.unknown_stage", 422, handling=h, rating=GOOD, channel=Channel.APP,
            stage="受理")
    refused("evaluation.stage_not_reported", 409, handling=h, rating=GOOD,
            channel=Channel.APP, stage="pay")
    refused("evaluation.stage_batch", 422, handling=h, rating=GOOD, channel=Channel.APP,
            stage="apply", for_batch=True)
    refused("evaluation.reason_required", 422, handling=h, rating=RatingInput(1),
            channel=Channel.APP, stage="apply")
    refused("evaluation.stage_not_ratable", 422, handling=h, rating=GOOD, channel=Channel.APP,
            stage="sign")
    override = PolicyOverride.objects.get(key="ratable_stages")
    override.value = ["amend", "done"]
    override.save()  # its signal clears the process's policy memo
    refused("evaluation.stage_not_ratable", 422, handling=h, rating=GOOD, channel=Channel.APP,
            stage="apply")
    gone = world.handling(status="withdrawn")
    make_stage(gone, "amend")
    refused("evaluation.withdrawn", 409, handling=gone, rating=GOOD, channel=Channel.APP,
            stage="amend")


def test_the_national_default_rates_the_handling_only(world: SimpleNamespace) -> None:
    h = world.handling()
    make_stage(h, "apply")
    err = refused("evaluation.stage_not_ratable", 422, handling=h, rating=GOOD,
                  channel=Channel.APP, stage="apply")
    assert "办结" in err.message


def test_a_stage_may_be_rated_while_the_handling_is_in_progress(
        world: SimpleNamespace) -> None:
    policy(ratable_stages=RATABLE)
    h = world.handling(status="in_progress")
    make_stage(h, "apply")
    [row] = evaluation_submit(handling=h, rating=GOOD, channel=Channel.APP, stage="apply")
    assert row.is_current
    refused("evaluation.not_completed", 409, handling=h, rating=GOOD, channel=Channel.APP)


def test_one_rating_per_stage_beside_the_handling_s_own(staged: SimpleNamespace) -> None:
    h = staged.h
    evaluation_submit(handling=h, rating=GOOD, channel=Channel.APP, stage="apply")
    refused("evaluation.already_rated", 409, handling=h, rating=BAD, channel=Channel.APP,
            stage="apply")
    [whole] = evaluation_submit(handling=h, rating=BAD, channel=Channel.APP)
    assert whole.assess_number == 1


def test_latest_wins_supersedes_within_the_stage_only(staged: SimpleNamespace) -> None:
    policy(multiple_ratings="latest_wins")
    h = staged.h
    [whole] = evaluation_submit(handling=h, rating=GOOD, channel=Channel.APP)
    [first] = evaluation_submit(handling=h, rating=BAD, channel=Channel.APP, stage="apply")
    [second] = evaluation_submit(handling=h, rating=GOOD, channel=Channel.APP, stage="apply")
    first.refresh_from_db()
    whole.refresh_from_db()
    assert (first.is_current, first.superseded_at) == (False, second.created_at)
    assert (second.is_current, second.assess_number) == (True, 2)
    assert (whole.is_current, whole.superseded_at) == (True, None)


def test_the_database_keeps_one_current_rating_per_stage(staged: SimpleNamespace) -> None:
    [row] = evaluation_submit(handling=staged.h, rating=GOOD, channel=Channel.APP,
                              stage="apply")
    twin = Evaluation.objects.filter(pk=row.pk).values()[0]
    for name in ("id", "public_id"):
        twin.pop(name)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.create(**twin)


def test_the_default_rating_still_comes_to_a_handling_rated_by_stage(
        staged: SimpleNamespace) -> None:
    policy(default_rating_level=3)
    evaluation_submit(handling=staged.h, rating=BAD, channel=Channel.APP, stage="amend")
    with time_machine.travel(staged.h.default_due_at + timedelta(minutes=1), tick=False):
        assert sweep_default_ratings(timezone.now()) == "default ratings: 1 created, 0 skipped"
    default = Evaluation.objects.get(handling=staged.h, is_default=True)
    assert (default.stage_id, default.level, default.is_current) == (None, 3, True)
    assert Evaluation.objects.get(handling=staged.h, stage=staged.amend).is_current
