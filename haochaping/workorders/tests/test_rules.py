"""The state machine as data, clocks and the appeal clock rule. No database."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from haochaping.catalog.rules.calendar import SHANGHAI, end_of_day
from haochaping.catalog.rules.policies import Duration, DurationUnit
from haochaping.catalog.rules.policy_presets import PRESETS
from haochaping.workorders import rules
from haochaping.workorders.rules import (
    TERMINAL,
    TRANSITIONS,
    Action,
    Clock,
    Complexity,
    Kind,
    Party,
    State,
    TransitionRefused,
)

DECLARED = {(s, a, p) for a, tr in TRANSITIONS.items() for s in tr.sources for p in tr.parties}


@given(st.sampled_from(list(State)), st.sampled_from(list(Action)),
       st.sampled_from(list(Party)))
def test_only_declared_transitions_are_possible(state: State, action: Action,
                                                party: Party) -> None:
    if (state, action, party) in DECLARED:
        assert rules.next_state(state, action, party) == TRANSITIONS[action].target_from(state)
        return
    with pytest.raises(TransitionRefused) as exc:
        rules.next_state(state, action, party)
    assert exc.value.code in {"workorder.wrong_party", "workorder.invalid_transition"}


@given(st.lists(st.tuples(st.sampled_from(list(Action)), st.sampled_from(list(Party))),
                max_size=30))
def test_random_walks_never_leave_a_terminal_state(steps: list[tuple[Action, Party]]) -> None:
    """Except through the office's reopen after a spot check (closed → returned)."""
    state = State.DISPATCHED
    for action, party in steps:
        try:
            new = rules.next_state(state, action, party)
        except TransitionRefused:
            continue
        if state in TERMINAL and action is Action.REOPEN:
            assert (state, new, party) == (State.CLOSED, State.RETURNED, Party.OFFICE)
        elif state in TERMINAL:
            assert new == state
        state = new


def test_every_state_is_reachable_from_dispatched() -> None:
    seen, frontier = {State.DISPATCHED}, [State.DISPATCHED]
    while frontier:
        state = frontier.pop()
        for tr in TRANSITIONS.values():
            if state in tr.sources and tr.target_from(state) not in seen:
                seen.add(tr.target_from(state))
                frontier.append(tr.target_from(state))
    assert seen == set(State)


def test_terminal_states_have_no_way_out_but_a_spot_checks_reopen() -> None:
    """Two ways out of a closed order only: the office reopens one whose fix a spot check
    found not made (issue 15), and a rater not satisfied with the outcome sends it back to
    the office's QA (issue 16); a voided order never comes back."""
    for tr in TRANSITIONS.values():
        for source in tr.sources & TERMINAL:
            if tr.action is Action.REOPEN:
                assert (source, tr.target, tr.parties) == (State.CLOSED, State.RETURNED,
                                                           {Party.OFFICE})
                continue
            if tr.action is Action.DISSENT:
                assert (source, tr.target, tr.parties) == (State.CLOSED, State.REPLIED,
                                                           {Party.OFFICE, Party.SYSTEM})
                continue
            assert tr.target is None, (tr.action, source)


def test_every_open_state_can_reach_closed_or_voided() -> None:
    for state in rules.OPEN_STATES:
        assert any(tr.target in TERMINAL for tr in TRANSITIONS.values()
                   if state in tr.sources)


def test_unknown_action_and_wrong_party_codes() -> None:
    with pytest.raises(TransitionRefused) as exc:
        rules.next_state(State.DISPATCHED, Action.REVIEW_PASS, Party.HANDLER)
    assert exc.value.code == "workorder.wrong_party"
    with pytest.raises(TransitionRefused) as exc:
        rules.next_state(State.CLOSED, Action.SIGN, Party.HANDLER)
    assert exc.value.code == "workorder.invalid_transition"


@pytest.mark.parametrize(("preset", "complexity", "expected"), [
    ("national", Complexity.COMPLEX, Duration.natural(15)),
    ("national", Complexity.SIMPLE, Duration.natural(15)),
    ("zhengdong", Complexity.COMPLEX, Duration.natural(15)),  # seed 000 §9
    ("jiangxi", Complexity.COMPLEX, Duration.natural(15)),  # seed 002 三(四)
    ("chongqing", Complexity.COMPLEX, Duration.working(5)),  # seed 001 三(四)1
    ("chongqing", Complexity.SIMPLE, Duration.natural(0)),  # on the spot
    ("haiyang", Complexity.COMPLEX, Duration.working(10)),  # seed 003 §17
    ("haiyang", Complexity.SIMPLE, Duration.working(3)),
    ("xinxiang", Complexity.COMPLEX, Duration.working(15)),  # seed 004 §6
    ("xinxiang", Complexity.SIMPLE, Duration.natural(0)),
])
def test_rectify_limit_per_preset(preset: str, complexity: Complexity,
                                  expected: Duration) -> None:
    assert rules.rectify_limit(PRESETS[preset], complexity) == expected


def test_xinxiang_runs_bad_reviews_on_1_5_15() -> None:
    limits = rules.clock_limits(PRESETS["xinxiang"], kind=Kind.BAD_REVIEW,
                                complexity=Complexity.COMPLEX, staged=True)
    assert (limits[Clock.CONTACT], limits[Clock.INVESTIGATE], limits[Clock.RECTIFY]) == (
        Duration.working(1), Duration.working(5), Duration.working(15))
    plain = rules.clock_limits(PRESETS["zhengdong"], kind=Kind.BAD_REVIEW,
                               complexity=Complexity.COMPLEX, staged=False)
    assert Clock.CONTACT not in plain


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=SHANGHAI)


def test_pause_and_resume_across_the_national_day_holiday() -> None:
    # Due end of 2026-10-12 (5 working days after 09-29: 09-30, 10-08, 10-09, 10-10 调休,
    # 10-12). Filed 09-30: left = 10-08, 10-09, 10-10, 10-12 = 4 working days.
    due = end_of_day(datetime(2026, 10, 12).date())
    paused = rules.pause(at("2026-09-30"), due, DurationUnit.WORKING_DAYS)
    assert paused == rules.Paused(4, DurationUnit.WORKING_DAYS)
    # Rejected 10-09: 4 working days from then = 10-10, 10-12, 10-13, 10-14.
    assert rules.resume_after(at("2026-10-09"), paused) == end_of_day(
        datetime(2026, 10, 14).date())


def test_pause_of_natural_days_and_an_overdue_clock() -> None:
    due = end_of_day(datetime(2026, 10, 14).date())
    assert rules.pause(at("2026-09-30"), due, DurationUnit.NATURAL_DAYS).amount == 14
    assert rules.pause(at("2026-10-20"), due, DurationUnit.WORKING_DAYS).amount == 0


def test_extension_refusals() -> None:
    today = at("2026-10-09").date()
    due = end_of_day(datetime(2026, 10, 14).date())
    refused = rules.extension_refusal(PRESETS["national"], current_due=due,
                                      requested_day=datetime(2026, 10, 20).date(), today=today)
    assert refused is not None
    assert refused.code == "workorder.extension_not_allowed"
    short = rules.extension_refusal(PRESETS["zhengdong"], current_due=due,
                                    requested_day=datetime(2026, 10, 14).date(), today=today)
    assert short is not None
    assert short.code == "workorder.extension_too_short"
    assert rules.extension_refusal(PRESETS["zhengdong"], current_due=due,
                                   requested_day=datetime(2026, 10, 20).date(),
                                   today=today) is None


def test_reply_preconditions() -> None:
    haiyang, national = PRESETS["haiyang"], PRESETS["national"]
    no_callback = rules.reply_refusal(haiyang, rules.Steps(rectified=True))
    assert no_callback is not None
    assert no_callback.code == "workorder.callback_required"
    assert rules.reply_refusal(national, rules.Steps(rectified=True)) is None
    missing = rules.reply_refusal(national, rules.Steps())
    assert missing is not None
    assert missing.code == "workorder.rectification_required"
    assert rules.reply_closes(national)
    assert not rules.reply_closes(haiyang)
