"""The spot-check rules: the stratified draw (reproducible, every stratum sampled, rates
per class), findings per target and their consequences, the two figures."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from haochaping.supervision import rules
from haochaping.supervision.rules import Candidate, Consequence, Finding, Stratum, Target

POOL = ([Candidate(Stratum.GOOD, i, 1, "web", 7) for i in range(1, 41)]
        + [Candidate(Stratum.GOOD, i, 2, "sms", 0) for i in range(41, 44)]
        + [Candidate(Stratum.BAD, i, 1, "web", 7) for i in range(44, 50)]
        + [Candidate(Stratum.DEFAULT, i, 1, "default", 0) for i in range(50, 70)]
        + [Candidate(Stratum.ORDER, i, 1) for i in range(1, 11)])
RATES = {Stratum.GOOD: 10, Stratum.BAD: 50, Stratum.DEFAULT: 5, Stratum.ORDER: 20}


def test_the_same_seed_draws_the_same_items_in_any_order() -> None:
    first = rules.draw(POOL, rates=RATES, seed="abc")
    assert first == rules.draw(list(reversed(POOL)), rates=RATES, seed="abc")
    assert first != rules.draw(POOL, rates=RATES, seed="abd")
    # per stratum, rounded up: good 4 + 1, bad 3, default 1, orders 2
    assert len(first) == 5 + 3 + 1 + 2


def test_a_rating_and_an_order_with_the_same_id_are_different_candidates() -> None:
    got = rules.draw(POOL, rates={Stratum.GOOD: 100, Stratum.ORDER: 100}, seed="x")
    assert {c.key for c in got} >= {"good:1", "order:1"}


def test_an_org_is_spread_over_its_channels_and_windows() -> None:
    pool = [Candidate(Stratum.GOOD, i, 1, ("web", "sms", "evaluator")[i % 3], i % 2)
            for i in range(60)]
    got = rules.draw(pool, rates={Stratum.GOOD: 10}, seed="spread")
    assert len(got) == 6
    assert {(c.channel, c.window) for c in got} == {(c.channel, c.window) for c in pool}


def test_a_class_at_zero_is_not_drawn_and_a_class_does_not_move_another() -> None:
    only_bad = rules.draw(POOL, rates={Stratum.BAD: 50}, seed="s1")
    assert {c.stratum for c in only_bad} == {Stratum.BAD}
    with_all = rules.draw(POOL, rates={**RATES, Stratum.BAD: 50}, seed="s1")
    assert [c for c in with_all if c.stratum is Stratum.BAD] == only_bad


@pytest.mark.parametrize(("rates", "seed"), [
    ({Stratum.GOOD: 101}, "a"), ({Stratum.GOOD: -1}, "a"), ({}, "a"),
    ({Stratum.GOOD: 0}, "a"), ({Stratum.GOOD: 10}, ""), ({Stratum.GOOD: 10}, "种子")])
def test_bad_parameters_are_refused(rates: dict[Stratum, int], seed: str) -> None:
    with pytest.raises(ValueError, match="rates|seed"):
        rules.draw(POOL, rates=rates, seed=seed)


candidates = st.lists(
    st.builds(Candidate, st.sampled_from(list(Stratum)), st.integers(1, 500),
              st.integers(1, 4), st.sampled_from(["web", "sms", "evaluator"]),
              st.integers(0, 3)),
    max_size=120, unique_by=lambda c: c.key)
rate = st.integers(0, 100)


@settings(max_examples=60, deadline=None)
@given(pool=candidates, good=rate, bad=rate, default=rate, order=rate,
       seed=st.from_regex(r"[A-Za-z0-9]{1,16}", fullmatch=True), data=st.data())
def test_draw_properties(pool: list[Candidate], good: int, bad: int, default: int,
                         order: int, seed: str, data: st.DataObject) -> None:
    rates = {Stratum.GOOD: good, Stratum.BAD: bad, Stratum.DEFAULT: default,
             Stratum.ORDER: order}
    if rules.rates_refusal(rates):
        return
    got = rules.draw(pool, rates=rates, seed=seed)
    shuffled = data.draw(st.permutations(pool))
    assert got == rules.draw(shuffled, rates=rates, seed=seed)  # reproducible
    keys = [c.key for c in got]
    assert len(keys) == len(set(keys))
    assert set(keys) <= {c.key for c in pool}
    for stratum, r in rates.items():
        drawn = [c for c in got if c.stratum is stratum]
        if r == 0:
            assert not drawn
            continue
        for org in {c.org for c in pool if c.stratum is stratum}:
            members = [c for c in pool if c.stratum is stratum and c.org == org]
            mine = [c for c in drawn if c.org == org]
            # every org with candidates is sampled, at the rate rounded up
            assert len(mine) == math.ceil(len(members) * r / 100)
            # spread: every channel-and-window group at least one step long is sampled
            step = len(members) / len(mine)
            for group in {(c.channel, c.window) for c in members}:
                size = sum((c.channel, c.window) == group for c in members)
                if size >= step:
                    assert any((c.channel, c.window) == group for c in mine), group
    assert rules.candidates_digest(pool) == rules.candidates_digest(shuffled)


def test_classes_follow_the_one_bad_threshold() -> None:
    assert rules.stratum_of(1, False) is Stratum.BAD
    assert rules.stratum_of(2, False) is Stratum.BAD
    assert rules.stratum_of(3, False) is Stratum.GOOD
    assert rules.stratum_of(5, True) is Stratum.DEFAULT


def test_findings_fit_their_target_and_say_what_follows() -> None:
    assert rules.finding_refusal(Target.RATING, "confirmed") is None
    assert "整改属实" in (rules.finding_refusal(Target.ORDER, "confirmed") or "")
    assert rules.finding_refusal(Target.ORDER, "nonsense") == "核查结论无效"
    assert rules.CONSEQUENCE[Finding.NOT_CONFIRMED] is Consequence.INVALIDATE
    assert rules.CONSEQUENCE[Finding.FALSE_REPORT] is Consequence.REOPEN
    assert rules.CONSEQUENCE[Finding.NOT_DONE] is Consequence.REOPEN
    assert Finding.CONFIRMED not in rules.CONSEQUENCE


def test_the_two_figures() -> None:
    fig = rules.figures([Finding.CONFIRMED] * 3 + [Finding.NOT_CONFIRMED, Finding.UNREACHED]
                        + [Finding.VERIFIED, Finding.FALSE_REPORT])
    assert fig.consistency_rate == 0.75  # the unreachable rater is not counted
    assert fig.verification_rate == 0.5
    assert (fig.checked_ratings, fig.checked_orders) == (5, 2)
    empty = rules.figures([Finding.UNREACHED])
    assert (empty.consistency_rate, empty.verification_rate) == (None, None)
    assert (rules.percent(None), rules.percent(0.75)) == ("—", "75.0%")
    by = rules.figures_by([("b", Finding.CONFIRMED), ("a", Finding.NOT_DONE)])
    assert list(by) == ["a", "b"]
    assert by["a"].verification_rate == 0.0


@given(st.lists(st.sampled_from(list(Finding)), max_size=50))
def test_rates_lie_between_zero_and_one(findings: list[Finding]) -> None:
    fig = rules.figures(findings)
    for value in (fig.consistency_rate, fig.verification_rate):
        assert value is None or 0 <= value <= 1
