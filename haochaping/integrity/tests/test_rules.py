"""The integrity signals as pure rules: examples and properties (hypothesis)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from haochaping.catalog.rules.calendar import SHANGHAI
from haochaping.integrity import review_rules, rules
from haochaping.integrity.network_rules import contains, mask_ip, parse_network
from haochaping.integrity.rules import Denial, Network, Rating, Signal, StaffPhone, Thresholds
from haochaping.integrity.stats_rules import binomial_upper_tail

TH = Thresholds(quick_seconds=120, days=30, phone_raters=3, uniform_min=30, uniform_p=0.001,
                uniform_share=0.95, burst_count=5, burst_seconds=1800, hours_start=8,
                hours_end=19)
T0 = datetime(2026, 11, 10, 10, 0, tzinfo=SHANGHAI)


def rating(i: int, *, at: datetime = T0, after: float = 3600, level: int = 5,
           channel: str = "web", org: int = 1, rater: int | None = None, phone: str = "",
           window: int | None = 1, device: int | None = None, ip: str | None = None,
           hall: int | None = 1) -> Rating:
    return Rating(id=i, at=at, completed_at=at - timedelta(seconds=after), level=level,
                  channel=channel, org=org, rater=rater if rater is not None else i,
                  phone=phone, phone_masked="139****0000" if phone else "", window=window,
                  hall=hall, device=device, ip=ip, place="市民中心 1号窗口")


# 1. quick and linked

PHONE = StaffPhone(phone="idx-staff", staff=7, org=1, label="王晓明（S1）", masked="139****0000")
NET = Network("10.88.1.0/24", "市民中心 1号窗口", window=1, orgs=frozenset({1}))


def test_a_staff_phone_right_after_completion_is_flagged() -> None:
    [hit] = rules.quick_linked([rating(1, after=30, phone="idx-staff")], [PHONE], [], TH)
    assert hit.signal is Signal.QUICK_LINKED
    assert "30 秒" in hit.explanation
    assert "王晓明" in hit.explanation
    # later than the threshold, another org's staff, or an unknown phone: not flagged
    assert rules.quick_linked([rating(2, after=500, phone="idx-staff")], [PHONE], [], TH) == []
    assert rules.quick_linked([rating(3, after=30, phone="idx-staff", org=2)], [PHONE], [],
                              TH) == []
    assert rules.quick_linked([rating(4, after=30, phone="other")], [PHONE], [], TH) == []


def test_the_windows_network_flags_web_ratings_but_not_its_pad() -> None:
    web = rating(1, after=60, ip="10.88.1.23", channel="web", window=None, hall=None)
    pad = rating(2, after=60, ip="10.88.1.23", channel="evaluator")
    [hit] = rules.quick_linked([web, pad], [], [NET], TH)
    assert hit.rating == 1
    assert "10.88.1.0/24" in hit.explanation
    assert hit.details["ip_net"] == "10.88.1.0/24"
    outside = rating(3, after=60, ip="10.88.2.23", channel="web")
    assert rules.quick_linked([outside], [], [NET], TH) == []


@given(st.integers(min_value=-10_000, max_value=10_000))
def test_quick_means_within_the_threshold_after_completion(after: int) -> None:
    hits = rules.quick_linked([rating(1, after=after, phone="idx-staff")], [PHONE], [], TH)
    assert bool(hits) == (0 <= after <= TH.quick_seconds)


# 2. one phone, many applicants

def test_one_phone_for_three_applicants_flags_all_their_ratings() -> None:
    rows = [rating(i, at=T0 + timedelta(days=i), rater=100 + i, phone="p", org=i % 2)
            for i in range(3)]
    hits = rules.shared_phone(rows, TH)
    assert {h.rating for h in hits} == {0, 1, 2}
    assert "3 名不同办事人" in hits[0].explanation
    assert "2 个部门" in hits[0].explanation
    # one applicant rating many handlings with their own phone is not the signal
    own = [rating(i, at=T0 + timedelta(days=i), rater=5, phone="q") for i in range(6)]
    assert rules.shared_phone(own, TH) == []
    # three applicants, but spread over more than the look-back: not flagged
    apart = [rating(i, at=T0 + timedelta(days=40 * i), rater=i, phone="r") for i in range(3)]
    assert rules.shared_phone(apart, TH) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 90)), min_size=0, max_size=25))
def test_shared_phone_flags_only_phones_with_enough_raters(rows: list[tuple[int, int]]) -> None:
    ratings = [rating(i, at=T0 + timedelta(days=d), rater=r, phone="p")
               for i, (r, d) in enumerate(rows)]
    hits = rules.shared_phone(ratings, TH)
    flagged = [r for r in ratings if r.id in {h.rating for h in hits}]
    if len({r.rater for r in ratings}) < TH.phone_raters:
        assert hits == []
    for r in flagged:  # each flagged rating lies in a window with enough raters
        near = {x.rater for x in ratings if abs((x.at - r.at).days) <= TH.days}
        assert len(near) >= TH.phone_raters


# 3. uniform level mix

def test_binomial_tail_matches_known_values() -> None:
    assert binomial_upper_tail(0, 10, 0.3) == 1.0
    assert math.isclose(binomial_upper_tail(10, 10, 0.5), 0.5 ** 10)
    assert math.isclose(binomial_upper_tail(1, 3, 0.5), 7 / 8)
    assert binomial_upper_tail(11, 10, 0.5) == 0.0
    assert math.isclose(binomial_upper_tail(40, 40, 0.7), 0.7 ** 40, rel_tol=1e-9)


@given(st.integers(0, 200), st.integers(0, 200), st.floats(0.01, 0.99))
def test_binomial_tail_is_a_probability_falling_in_k(k: int, n: int, p: float) -> None:
    value = binomial_upper_tail(k, n, p)
    assert 0.0 <= value <= 1.0
    assert binomial_upper_tail(k + 1, n, p) <= value + 1e-12


def _mix(window: int, n: int, fives: int, start: int) -> list[Rating]:
    return [rating(start + i, level=5 if i < fives else 4, window=window, channel="evaluator")
            for i in range(n)]


def test_a_window_of_only_fives_among_mixed_peers_is_flagged_with_its_test() -> None:
    peers = [r for w in range(2, 8) for r in _mix(w, 40, 24, w * 100)]
    odd = _mix(1, 40, 40, 10_000)
    hits = rules.uniform(peers + odd, TH)
    assert {h.rating for h in hits} == {r.id for r in odd}
    assert "p=" in hits[0].explanation
    assert "60%" in hits[0].explanation
    # too few ratings, or a share under the floor: not tested
    assert rules.uniform(peers + _mix(1, 20, 20, 10_000), TH) == []
    assert rules.uniform(peers + _mix(1, 40, 36, 10_000), TH) == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=2, max_size=6))
def test_uniform_never_flags_a_window_not_above_its_peers(fives: list[int]) -> None:
    rows = [r for w, k in enumerate(fives) for r in _mix(w, 40, k, w * 100)]
    for hit in rules.uniform(rows, TH):
        assert hit.details["k"] / hit.details["n"] > hit.details["peer_share"]  # type: ignore[operator]
        assert hit.details["p"] < TH.uniform_p  # type: ignore[operator]


# 4. call-back disagreement

def test_a_denied_pad_rating_flags_the_raters_pad_ratings_at_that_window() -> None:
    a = rating(1, at=T0, rater=9, channel="evaluator")
    b = rating(2, at=T0 + timedelta(days=5), rater=9, channel="evaluator")
    elsewhere = rating(3, at=T0, rater=9, channel="evaluator", window=2)
    online = rating(4, at=T0, rater=9, channel="web")
    denial = Denial(rater=9, window=1, rating=2, at=T0 + timedelta(days=8), how="核查抽查电话回访")
    hits = rules.callback([a, b, elsewhere, online], [denial], TH)
    assert {h.rating for h in hits} == {1, 2}
    assert "否认" in hits[0].explanation
    assert rules.callback([a], [Denial(8, 1, 2, T0, "回访")], TH) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2), st.integers(-40, 40),
                          st.sampled_from(["evaluator", "kiosk", "web"])), max_size=15),
       st.integers(0, 3), st.integers(0, 2))
def test_callback_flags_only_pad_ratings_of_the_denying_rater_at_that_window(
        rows: list[tuple[int, int, int, str]], rater: int, window: int) -> None:
    ratings = [rating(i, at=T0 + timedelta(days=d), rater=r, window=w, channel=c)
               for i, (r, w, d, c) in enumerate(rows)]
    denial = Denial(rater=rater, window=window, rating=-1, at=T0 + timedelta(days=10), how="回访")
    for hit in rules.callback(ratings, [denial], TH):
        r = next(x for x in ratings if x.id == hit.rating)
        assert r.rater == rater
        assert r.window == window
        assert r.channel in rules.PAD_CHANNELS
        assert denial.at - timedelta(days=TH.days) <= r.at <= denial.at


# 5. off-hours bursts

def test_five_pad_ratings_in_half_an_hour_at_night_are_a_burst() -> None:
    night = datetime(2026, 11, 10, 22, 5, tzinfo=SHANGHAI)
    rows = [rating(i, at=night + timedelta(minutes=5 * i), channel="evaluator", device=3)
            for i in range(5)]
    hits = rules.bursts(rows, TH)
    assert len(hits) == 5
    assert "5 条评价" in hits[0].explanation
    assert rules.bursts(rows[:4], TH) == []
    day = [rating(i, at=T0 + timedelta(minutes=i), channel="evaluator", device=3)
           for i in range(10)]
    assert rules.bursts(day, TH) == []
    web = [rating(i, at=night + timedelta(minutes=i), channel="web") for i in range(10)]
    assert rules.bursts(web, TH) == []


@given(st.integers(0, 23), st.integers(0, 24), st.integers(0, 24))
def test_office_hours(hour: int, start: int, end: int) -> None:
    th = Thresholds(**{**TH.__dict__, "hours_start": start, "hours_end": end})
    moment = datetime(2026, 11, 10, hour, 30, tzinfo=SHANGHAI)
    if start == end:
        assert not rules.off_hours(moment, th)
    elif start < end:
        assert rules.off_hours(moment, th) == (not start <= hour < end)


# the rest

def test_all_hits_are_one_per_rating_and_signal() -> None:
    rows = [rating(1, after=30, phone="idx-staff")]
    hits = rules.all_hits(rows + rows, [], [PHONE], [], [], TH)
    assert [(h.rating, h.signal) for h in hits] == [(1, Signal.QUICK_LINKED)]


def test_networks_and_masks() -> None:
    assert parse_network("10.88.1.7/24") == ("10.88.1.0/24", "")
    assert parse_network("10.0.0.0/8")[1].startswith("网段过大")
    assert parse_network("十.八")[1].startswith("网段格式不正确")
    assert mask_ip("58.20.3.9") == "58.20.3.0/24"
    assert mask_ip("bad") == ""
    assert mask_ip(None) == ""
    assert contains("10.88.1.0/24", "10.88.1.9")
    assert not contains("10.88.1.0/24", "x")


def test_decision_refusals_are_chinese() -> None:
    assert review_rules.decision_refusal("confirmed", 2.0, "视频核实") == ""
    assert review_rules.decision_refusal("cleared", None, "正常") == ""
    assert "扣分" in review_rules.decision_refusal("confirmed", None, "视频核实")
    assert "扣分" in review_rules.decision_refusal("confirmed", 500.0, "视频核实")
    assert "不扣分" in review_rules.decision_refusal("cleared", 1.0, "正常")
    assert "核查情况" in review_rules.decision_refusal("cleared", None, " ")
    assert "结论" in review_rules.decision_refusal("maybe", None, "x")
