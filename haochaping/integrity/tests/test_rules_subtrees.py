"""The integrity signals with a subtree's own thresholds (``overrides``: org -> Thresholds):
a rating is judged by its org's, a pad or window by its main org's, while a phone's
ratings of every org still count together. Pure; a property ties the overrides to running
the signal with that org's thresholds alone."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from haochaping.catalog.rules.calendar import SHANGHAI
from haochaping.integrity import rules
from haochaping.integrity.tests.test_rules import PHONE, T0, TH, _mix, rating

COUNTY = 2  # an org whose subtree set its own thresholds


def test_quick_uses_the_rated_orgs_own_seconds() -> None:
    staff = rules.StaffPhone(phone="idx", staff=8, org=COUNTY, label="李明（S2）",
                             masked="139****0001")
    late = [rating(1, after=300, phone="idx", org=COUNTY)]
    assert rules.quick_linked(late, [staff], [], TH) == []  # 300 s > 120 s
    strict = {COUNTY: replace(TH, quick_seconds=600)}
    [hit] = rules.quick_linked(late, [staff], [], TH, strict)
    assert "300 秒" in hit.explanation
    # the city's rating at the same timing keeps the deployment's 120 s
    assert rules.quick_linked([rating(2, after=300, phone="idx-staff")], [PHONE], [], TH,
                              strict) == []


def test_a_phone_counts_every_org_and_flags_by_each_rating_s_org() -> None:
    rows = [rating(i, at=T0 + timedelta(days=i), rater=100 + i, phone="p",
                   org=COUNTY if i < 2 else 1) for i in range(3)]
    # three applicants: at the deployment's 3 every rating is flagged
    assert {h.rating for h in rules.shared_phone(rows, TH)} == {0, 1, 2}
    # the county wants 4: its two ratings are not flagged, the city's one still is
    lenient = {COUNTY: replace(TH, phone_raters=4)}
    hits = rules.shared_phone(rows, TH, lenient)
    assert {h.rating for h in hits} == {2}
    # the county wants a 2-day span: only ratings within 2 days of each other count
    short = {COUNTY: replace(TH, days=1)}
    assert {h.rating for h in rules.shared_phone(rows, TH, short)} == {2}


def test_a_windows_share_test_uses_its_orgs_thresholds() -> None:
    peers = [r for w in range(2, 8) for r in _mix(w, 40, 24, w * 100)]
    odd = [replace(r, org=COUNTY) for r in _mix(1, 40, 36, 10_000)]  # 90 % fives
    assert rules.uniform(peers + odd, TH) == []  # under the 95 % floor
    lower = {COUNTY: replace(TH, uniform_share=0.85)}
    hits = rules.uniform(peers + odd, TH, lower)
    assert {h.rating for h in hits} == {r.id for r in odd if r.level == 5}


def test_office_hours_are_the_orgs_own() -> None:
    evening = datetime(2026, 11, 10, 19, 30, tzinfo=SHANGHAI)  # after 19:00
    rows = [rating(i, at=evening + timedelta(minutes=3 * i), channel="evaluator", device=3,
                   org=COUNTY) for i in range(5)]
    assert len(rules.bursts(rows, TH)) == 5
    late_hall = {COUNTY: replace(TH, hours_end=21)}  # open until 21:00
    assert rules.bursts(rows, TH, late_hall) == []
    [first, *_] = rules.bursts(rows, TH, {COUNTY: replace(TH, hours_end=18)})
    assert "18:00 后" in first.explanation


def test_a_denial_reaches_back_the_orgs_own_days() -> None:
    old = rating(1, at=T0, rater=9, channel="evaluator", org=COUNTY)
    denial = rules.Denial(rater=9, window=1, rating=2, at=T0 + timedelta(days=20), how="回访")
    assert [h.rating for h in rules.callback([old], [denial], TH)] == [1]
    assert rules.callback([old], [denial], TH, {COUNTY: replace(TH, days=10)}) == []


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 2), st.integers(0, 900)), max_size=12),
       st.integers(0, 900))
def test_overrides_judge_each_rating_as_its_orgs_thresholds_alone(
        rows: list[tuple[int, int]], seconds: int) -> None:
    """Signal 1 rates one rating at a time: with overrides it flags exactly what running
    each org's ratings with that org's thresholds flags."""
    staff = [rules.StaffPhone(phone="idx", staff=o, org=o, label="某", masked="1")
             for o in (1, 2)]
    ratings = [rating(i, after=a, phone="idx", org=o) for i, (o, a) in enumerate(rows)]
    overrides = {2: replace(TH, quick_seconds=seconds)}
    mixed = {h.rating for h in rules.quick_linked(ratings, staff, [], TH, overrides)}
    alone = {h.rating for o, th in ((1, TH), (2, overrides[2]))
             for h in rules.quick_linked([r for r in ratings if r.org == o], staff, [], th)}
    assert mixed == alone
