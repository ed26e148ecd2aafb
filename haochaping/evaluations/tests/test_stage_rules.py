"""The rules of a stage rating (环节, seed 002 二(三)), without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from haochaping.catalog.rules.codes import Stage
from haochaping.catalog.rules.standards import Channel
from haochaping.evaluations import rules as r
from haochaping.evaluations.tests.test_rules import NOW, OPEN, REAL_GOOD, TABLES

GOOD = r.RatingInput(5, {"overall": 5}, ["500"])
EVERY = frozenset(s.value for s in Stage)
ONCE = r.RatingPolicy(r.ONE_PER_SERVICE, False, EVERY)
LATEST = r.RatingPolicy(r.LATEST_WINS, False, EVERY)
APPLY = r.StageFacts("apply", reported=True)


def check(stage: r.StageFacts | None, *, state: r.HandlingState = OPEN,
          policy: r.RatingPolicy = ONCE, rating: r.RatingInput = GOOD,
          **kw: object) -> r.RatingDecision:
    return r.check_rating(rating, channel=Channel.APP, tables=TABLES, state=state,
                          policy=policy, now=NOW, stage=stage, **kw)  # type: ignore[arg-type]


def rejected(stage: r.StageFacts | None, **kw: object) -> tuple[str, str | None]:
    with pytest.raises(r.RatingRejected) as exc:
        check(stage, **kw)  # type: ignore[arg-type]
    assert not exc.value.message.isascii()
    return exc.value.code, exc.value.field


@pytest.mark.parametrize(("value", "stage"), [
    ("", None), ("  ", None), (None, None), ("done", None), ("办结", None),
    ("apply", Stage.APPLY), ("补正", Stage.AMEND), (" pay ", Stage.PAY)])
def test_the_stage_a_rating_names(value: str | None, stage: Stage | None) -> None:
    assert r.stage_named(value) is stage


def test_an_unknown_stage_is_refused() -> None:
    with pytest.raises(r.RatingRejected) as exc:
        r.stage_named("受理")
    assert (exc.value.code, exc.value.field) == ("evaluation.unknown_stage", "stage")
    assert rejected(r.StageFacts("review", reported=False)) == ("evaluation.unknown_stage",
                                                                 "stage")


def test_a_reported_ratable_stage_is_rated_like_a_handling() -> None:
    assert check(APPLY) == r.RatingDecision(False, 1)


def test_a_stage_outside_the_policy_is_refused_before_anything_else() -> None:
    national = r.RatingPolicy(r.ONE_PER_SERVICE, False)  # 办结 only: today's behaviour
    assert rejected(APPLY, policy=national) == ("evaluation.stage_not_ratable", "stage")
    withdrawn = replace(OPEN, status="withdrawn")
    assert rejected(APPLY, policy=national, state=withdrawn)[0] == \
        "evaluation.stage_not_ratable"


def test_a_stage_not_reported_is_refused() -> None:
    assert rejected(r.StageFacts("amend", reported=False)) == ("evaluation.stage_not_reported",
                                                                "stage")


def test_a_stage_may_be_rated_before_the_handling_completes() -> None:
    in_progress = replace(OPEN, status="in_progress")
    assert check(APPLY, state=in_progress).assess_number == 1
    # the handling as a whole still waits for its completion (seed 003 §10)
    assert rejected(None, state=in_progress)[0] == "evaluation.not_completed"
    assert rejected(r.StageFacts("done", reported=True), state=in_progress)[0] == \
        "evaluation.not_completed"


def test_withdrawn_and_closed_windows_refuse_stage_ratings_too() -> None:
    assert rejected(APPLY, state=replace(OPEN, status="withdrawn"))[0] == "evaluation.withdrawn"
    closed = replace(OPEN, rating_closes_at=NOW - timedelta(minutes=1))
    assert rejected(APPLY, state=closed)[0] == "evaluation.window_closed"


def test_one_rating_per_stage_under_one_per_service_and_the_latest_wins_otherwise() -> None:
    rated = replace(OPEN, current=REAL_GOOD)
    assert rejected(APPLY, state=rated)[0] == "evaluation.already_rated"
    assert check(APPLY, state=rated, policy=LATEST) == r.RatingDecision(True, 2)


def test_a_bad_stage_rating_needs_its_reason_even_by_sms() -> None:
    def by_sms(stage: r.StageFacts | None) -> r.RatingDecision:
        return r.check_rating(r.RatingInput(1), channel=Channel.SMS, tables=TABLES,
                              state=OPEN, policy=ONCE, now=NOW, sms_reply=True, stage=stage)

    assert by_sms(None).assess_number == 1  # a bare digit rates the handling (seed 003 §9)
    with pytest.raises(r.RatingRejected) as exc:
        by_sms(APPLY)
    assert exc.value.code == "evaluation.reason_required"
