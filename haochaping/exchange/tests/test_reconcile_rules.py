"""The reconciliation's pure rules: verdicts, the all-orgs shortcut, what a re-send takes,
when a day is checked again (no database)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from haochaping.core.localtime import SHANGHAI
from haochaping.exchange.rules.codec import ids_digest
from haochaping.exchange.rules.reconcile import (
    Ours,
    ResendPlan,
    Schedule,
    Theirs,
    Verdict,
    first_check_at,
    judge,
    next_check,
    resend_plan,
    total_matches,
)

KEYS = frozenset({"rating:1:saved:1", "rating:2:saved:1", "rating:3:saved:1"})


def theirs(keys: frozenset[str], *, listed: bool = False) -> Theirs:
    return Theirs(len(keys), ids_digest(keys), keys if listed else None)


def test_the_remote_holding_exactly_our_acked_keys_is_a_match() -> None:
    assert judge(Ours(3, KEYS), theirs(KEYS)).verdict is Verdict.MATCH
    upper = Theirs(3, ids_digest(KEYS).upper())  # hex case is not a difference
    assert judge(Ours(3, KEYS), upper).verdict is Verdict.MATCH


def test_a_record_missing_at_the_remote_is_fewer_and_every_acked_key_uncertain() -> None:
    outcome = judge(Ours(3, KEYS), theirs(KEYS - {"rating:2:saved:1"}))
    assert (outcome.verdict, outcome.missing) == (Verdict.FEWER, None)


def test_a_remote_listing_its_keys_names_exactly_the_missing_ones() -> None:
    outcome = judge(Ours(3, KEYS), theirs(KEYS - {"rating:2:saved:1"}, listed=True))
    assert (outcome.verdict, outcome.missing) == (Verdict.FEWER,
                                                  frozenset({"rating:2:saved:1"}))


def test_more_records_or_the_same_count_of_other_keys_is_more_or_different() -> None:
    extra = KEYS | {"rating:9:saved:1"}
    assert judge(Ours(3, KEYS), theirs(extra)).verdict is Verdict.MORE
    swapped = KEYS - {"rating:3:saved:1"} | {"rating:4:saved:1"}
    outcome = judge(Ours(3, KEYS), theirs(swapped, listed=True))
    assert (outcome.verdict, outcome.missing) == (Verdict.MORE, frozenset({"rating:3:saved:1"}))


def test_sent_but_not_acked_is_a_difference_of_ours_even_when_the_remote_agrees() -> None:
    assert judge(Ours(4, KEYS), theirs(KEYS)).verdict is Verdict.UNACKED


def test_without_a_count_endpoint_only_sent_and_acked_are_compared() -> None:
    assert judge(Ours(3, KEYS), None).verdict is Verdict.MATCH
    assert judge(Ours(5, KEYS), None).verdict is Verdict.UNACKED


def test_the_all_orgs_answer_settles_every_org_when_it_equals_the_union() -> None:
    groups = [Ours(2, frozenset({"a", "b"})), Ours(1, frozenset({"c"}))]
    assert total_matches(groups, theirs(frozenset({"a", "b", "c"})))
    assert not total_matches(groups, theirs(frozenset({"a", "b"})))
    assert total_matches([], theirs(frozenset()))


@pytest.mark.parametrize(("verdict", "missing", "plan"), [
    (Verdict.FEWER, None, ResendPlan(acked=True, keys=None, failed=True)),
    (Verdict.FEWER, frozenset({"k"}), ResendPlan(acked=True, keys=frozenset({"k"}),
                                                 failed=True)),
    (Verdict.MORE, frozenset(), ResendPlan(acked=False, keys=frozenset(), failed=True)),
    (Verdict.UNACKED, None, ResendPlan(acked=False, keys=None, failed=True)),
    (Verdict.MATCH, None, ResendPlan(acked=False, keys=None, failed=False)),
    (Verdict.UNCHECKED, None, ResendPlan(acked=False, keys=None, failed=False)),
])
def test_what_a_resend_takes(verdict: Verdict, missing: frozenset[str] | None,
                             plan: ResendPlan) -> None:
    assert resend_plan(verdict, missing) == plan
    assert plan.empty is (verdict in (Verdict.MATCH, Verdict.UNCHECKED))


DAY = date(2026, 11, 9)
NOW = datetime(2026, 11, 10, 3, 0, tzinfo=SHANGHAI)
SCHEDULE = Schedule(settle_hours=2, recheck_days=7, recheck_hours=24, retry_minutes=15,
                    retry_cap_minutes=360)


def test_yesterday_is_first_checked_after_the_settle_hours() -> None:
    assert first_check_at(DAY, SCHEDULE) == datetime(2026, 11, 10, 2, 0, tzinfo=SHANGHAI)


def test_a_matching_day_is_settled_a_different_one_checked_again_tomorrow() -> None:
    kw = {"day": DAY, "today": NOW.date(), "now": NOW, "failures": 0, "schedule": SCHEDULE}
    assert next_check(verdicts=[Verdict.MATCH], **kw) is None
    assert next_check(verdicts=[], **kw) is None
    assert next_check(verdicts=[Verdict.MATCH, Verdict.FEWER], **kw) == NOW + timedelta(days=1)
    assert next_check(verdicts=[Verdict.UNACKED], **kw) == NOW + timedelta(days=1)


def test_an_unreachable_remote_is_retried_with_a_back_off_until_the_window_ends() -> None:
    kw = {"day": DAY, "today": NOW.date(), "now": NOW, "schedule": SCHEDULE,
          "verdicts": [Verdict.UNCHECKED]}
    assert [next_check(failures=n, **kw) - NOW for n in (1, 2, 3, 10)] == [  # type: ignore[operator]
        timedelta(minutes=15), timedelta(minutes=30), timedelta(minutes=60),
        timedelta(minutes=360)]
    late = NOW.date() + timedelta(days=7)  # DAY is 8 days old: out of the window
    assert next_check(day=DAY, today=late, now=NOW, schedule=SCHEDULE, failures=1,
                      verdicts=[Verdict.UNCHECKED]) is None
    last = NOW.date() + timedelta(days=6)  # the 7th day back: still checked
    assert next_check(day=DAY, today=last, now=NOW, schedule=SCHEDULE, failures=0,
                      verdicts=[Verdict.FEWER]) is not None
