"""The pure rules of the upward delivery (rules.delivery): routes, batches, answers,
retries and the circuit breaker. No database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from haochaping.exchange.rules import delivery as rules
from haochaping.exchange.rules.canonical import Kind

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
POLICY = rules.BreakerPolicy(failure_threshold=3, open_seconds=30, probe_seconds=90)
ALL = frozenset(Kind)


@pytest.mark.parametrize(("profile", "remote", "active", "expected"), [
    (ALL, [], True, {Kind.HANDLING, Kind.RATING, Kind.RESULT}),  # complaints come down
    (ALL, ["rating"], True, {Kind.RATING}),
    (frozenset({Kind.RATING}), [], True, {Kind.RATING}),
    (frozenset({Kind.RATING}), ["handling"], True, set()),  # the profile cannot carry it
    (ALL, ["rating", "nonsense"], True, {Kind.RATING}),
    (ALL, [], False, set()),
])
def test_route_kinds(profile: frozenset[Kind], remote: list[str], active: bool,
                     expected: set[Kind]) -> None:
    assert rules.route_kinds(profile, remote, active) == expected


@pytest.mark.parametrize(("remote", "profile", "expected"), [
    (100, 50, 50), (20, 100, 20), (100, None, 100), (0, 10, 1), (5, 1, 1)])
def test_batch_size(remote: int, profile: int | None, expected: int) -> None:
    assert rules.batch_size(remote, profile) == expected


@pytest.mark.parametrize(("attempts", "size", "expected"), [
    ([], 10, 0),
    ([0, 0, 1, 0], 10, 4),
    ([0, 0, 0], 2, 2),
    ([2, 0, 0], 10, 1),  # a twice-retried row travels alone
    ([0, 1, 5, 0], 10, 2),  # fresh rows up to the first retried one
])
def test_batch_take(attempts: list[int], size: int, expected: int) -> None:
    assert rules.batch_take(attempts, size) == expected


@pytest.mark.parametrize(("due", "expected"), [(0, 0), (1, 1), (500, 1), (501, 2), (10**6, 4)])
def test_slots_for(due: int, expected: int) -> None:
    assert rules.slots_for(due, per_slot=500, max_slots=4) == expected


@pytest.mark.parametrize(("status", "expected"), [
    (200, rules.Answer.ACKS), (202, rules.Answer.ACKS), (400, rules.Answer.REFUSED),
    (401, rules.Answer.REFUSED), (404, rules.Answer.REFUSED), (408, rules.Answer.RETRY),
    (429, rules.Answer.RETRY), (500, rules.Answer.RETRY), (503, rules.Answer.RETRY)])
def test_answer_of(status: int, expected: rules.Answer) -> None:
    assert rules.answer_of(status) is expected


def test_retry_backs_off_exponentially_with_jitter_up_to_the_cap_then_dies() -> None:
    policy = rules.RetryPolicy(base_seconds=10, cap_seconds=100, max_attempts=5)
    delays = [rules.retry_after(n, policy, jitter=1.0).delay_seconds for n in (1, 2, 3, 4)]
    assert delays == [10, 20, 40, 80]
    assert rules.retry_after(4, policy, jitter=0.0).delay_seconds == 40  # lower half
    assert rules.retry_after(5, policy, jitter=0.5).dead
    capped = rules.RetryPolicy(base_seconds=10, cap_seconds=30, max_attempts=9)
    assert rules.retry_after(6, capped, jitter=1.0).delay_seconds == 30


def test_the_breaker_opens_after_the_threshold_of_failures_in_a_row() -> None:
    breaker = rules.Breaker()
    for _ in range(2):
        breaker = rules.breaker_after(breaker, False, T0, POLICY)
    assert (breaker.state, breaker.failures) == (rules.BreakerState.CLOSED, 2)
    assert rules.breaker_after(breaker, True, T0, POLICY) == rules.Breaker()  # success resets
    breaker = rules.breaker_after(breaker, False, T0, POLICY)
    assert (breaker.state, breaker.opened_at) == (rules.BreakerState.OPEN, T0)


def test_an_open_breaker_lets_one_probe_through_after_its_time() -> None:
    opened = rules.Breaker(rules.BreakerState.OPEN, 3, opened_at=T0)
    assert rules.breaker_gate(opened, T0 + timedelta(seconds=29), POLICY) == (
        rules.Gate.WAIT, opened)
    gate, probing = rules.breaker_gate(opened, T0 + timedelta(seconds=30), POLICY)
    assert gate is rules.Gate.PROBE
    assert (probing.state, probing.probe_until) == (
        rules.BreakerState.HALF_OPEN, T0 + timedelta(seconds=120))
    # another task waits for the probe's answer …
    assert rules.breaker_gate(probing, T0 + timedelta(seconds=60), POLICY)[0] is rules.Gate.WAIT
    # … unless the probing task went silent
    assert rules.breaker_gate(probing, T0 + timedelta(seconds=120), POLICY)[0] is \
        rules.Gate.PROBE


def test_a_probe_closes_or_reopens() -> None:
    probing = rules.Breaker(rules.BreakerState.HALF_OPEN, 3, opened_at=T0,
                            probe_until=T0 + timedelta(seconds=120))
    later = T0 + timedelta(seconds=40)
    assert rules.breaker_after(probing, True, later, POLICY) == rules.Breaker()
    reopened = rules.breaker_after(probing, False, later, POLICY)
    assert (reopened.state, reopened.opened_at) == (rules.BreakerState.OPEN, later)


def test_a_late_failure_keeps_an_open_breaker_open_from_its_time() -> None:
    opened = rules.Breaker(rules.BreakerState.OPEN, 3, opened_at=T0)
    late = rules.breaker_after(opened, False, T0 + timedelta(seconds=10), POLICY)
    assert (late.state, late.opened_at) == (rules.BreakerState.OPEN, T0)


def test_a_closed_breaker_sends_and_only_a_send_burns_attempts() -> None:
    assert rules.breaker_gate(rules.Breaker(), T0, POLICY) == (rules.Gate.SEND, rules.Breaker())
    assert rules.burns_attempt(rules.Gate.SEND)
    assert not rules.burns_attempt(rules.Gate.PROBE)


def test_handling_statuses_map_to_the_canonical_three() -> None:
    assert rules.HANDLING_STATUS == {"accepted": "accepted", "in_progress": "accepted",
                                     "completed": "completed"}
    assert "withdrawn" not in rules.HANDLING_STATUS
