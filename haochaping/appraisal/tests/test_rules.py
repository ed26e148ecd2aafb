"""Scoring rules of the performance review: weights, deductions, privacy → bottom,
ranking, the bottom list's streaks and the plans' states."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from haochaping.appraisal import rules
from haochaping.appraisal.rules import (
    Indicator,
    Mode,
    PeriodKind,
    PlanStatus,
    Subject,
    Unit,
    indicators_refusal,
    normalized,
    period_bounds,
    plan_status,
    rank,
    score,
    streak_flags,
)

SAT = Indicator("satisfaction", "满意率", Unit.RATE, Mode.WEIGHT, 60)
RANK = Indicator("ranking", "综合排名名次", Unit.RANK, Mode.WEIGHT, 40)
OVERDUE = Indicator("overdue_orders", "逾期工单", Unit.COUNT, Mode.DEDUCT, deduction=2)
SHEET = [SAT, RANK, OVERDUE]


def test_weighted_score_and_deductions() -> None:
    s = score(SHEET, {"satisfaction": 0.9, "ranking": 1, "overdue_orders": 3},
              {"ranking": 5})
    assert s.base == pytest.approx(100 * (60 * 0.9 + 40 * 1.0) / 100)
    assert s.deductions == 6
    assert s.score == pytest.approx(94 - 6)


def test_missing_weighted_value_rescales_the_others() -> None:
    s = score(SHEET, {"satisfaction": 0.8, "ranking": None, "overdue_orders": 0})
    assert s.base == pytest.approx(80)
    assert score(SHEET, {"satisfaction": None, "ranking": None}).score is None


def test_score_never_below_zero() -> None:
    assert score(SHEET, {"satisfaction": 0.1, "overdue_orders": 100}).score == 0


def test_rank_normalised_first_is_one_last_is_zero() -> None:
    assert normalized(Unit.RANK, 1, 5) == 1
    assert normalized(Unit.RANK, 5, 5) == 0
    assert normalized(Unit.RANK, 3, 5) == 0.5
    assert normalized(Unit.RANK, 1, 1) == 1
    assert normalized(Unit.SCORE, 85, 0) == 0.85


def _subject(key: int, sat: float | None, privacy: int = 0) -> Subject:
    return Subject(key, f"C{key:03d}", f"对象{key}", {"satisfaction": sat,
                                                     "overdue_orders": 0.0}, privacy)


def test_privacy_violation_goes_straight_to_the_bottom() -> None:
    rows = rank([_subject(1, 0.99, privacy=1), _subject(2, 0.5), _subject(3, 0.7),
                 _subject(4, None)], [Indicator("satisfaction", "满意率", Unit.RATE,
                                                Mode.WEIGHT, 100)], bottom_count=1)
    assert [r.subject.key for r in rows] == [3, 2, 1, 4]
    assert [r.rank for r in rows] == [1, 2, 3, None]
    assert [r.at_bottom for r in rows] == [False, False, True, False]
    assert rows[2].status.startswith("泄露评价人信息")
    assert rows[3].status == rules.NO_DATA


def test_no_bottom_when_too_few_are_ranked() -> None:
    rows = rank([_subject(1, 0.9), _subject(2, 0.8)],
                [Indicator("satisfaction", "满意率", Unit.RATE, Mode.WEIGHT, 100)],
                bottom_count=3)
    assert not any(r.at_bottom for r in rows)


@pytest.mark.parametrize(("indicators", "message"), [
    ([], "请至少选择一项考核指标"),
    ([SAT], "各项权重之和须为 100"),
    ([OVERDUE], "请至少设置一项按权重计分的指标"),
    ([SAT, Indicator("overdue_orders", "逾期工单", Unit.COUNT, Mode.WEIGHT, 40)],
     "“逾期工单”是计数指标，只能按件扣分"),
    ([Indicator("satisfaction", "满意率", Unit.RATE, Mode.DEDUCT, deduction=1)],
     "“满意率”不是计数指标，只能按权重计分"),
    ([SAT, SAT], "同一指标不能重复设置"),
    ([SAT, RANK, Indicator("overdue_orders", "逾期工单", Unit.COUNT, Mode.DEDUCT,
                           deduction=101)], "“逾期工单”的每件扣分须在 0 至 100 之间"),
])
def test_indicator_refusals(indicators: list[Indicator], message: str) -> None:
    assert indicators_refusal(indicators) == message


def test_valid_sheet_is_accepted() -> None:
    assert indicators_refusal(SHEET) is None


def test_period_bounds() -> None:
    assert period_bounds(PeriodKind.QUARTER, 2026, 3) == (date(2026, 7, 1), date(2026, 9, 30))
    assert period_bounds(PeriodKind.QUARTER, 2026, 4) == (date(2026, 10, 1),
                                                         date(2026, 12, 31))
    assert period_bounds(PeriodKind.YEAR, 2026) == (date(2026, 1, 1), date(2026, 12, 31))
    assert rules.period_label(PeriodKind.QUARTER, date(2026, 7, 1)) == "2026年第3季度"


Q2 = (date(2026, 4, 1), date(2026, 6, 30))
Q3 = (date(2026, 7, 1), date(2026, 9, 30))
Q4 = (date(2026, 10, 1), date(2026, 12, 31))


def test_streak_needs_consecutive_periods() -> None:
    assert streak_flags([(*Q2, {1, 2}), (*Q3, {1, 3})], 2) == {1}
    assert streak_flags([(*Q2, {1, 2}), (*Q4, {1, 3})], 2) == set()
    assert streak_flags([(*Q3, {1})], 2) == set()
    assert streak_flags([(*Q2, {1}), (*Q3, {2}), (*Q4, {1, 2})], 2) == {2}


def test_plan_status() -> None:
    assert plan_status(transferred=False, later_at_bottom=[]) is PlanStatus.RECTIFYING
    assert plan_status(transferred=False, later_at_bottom=[True]) is PlanStatus.TRANSFER_DUE
    assert plan_status(transferred=False, later_at_bottom=[False, True]) is PlanStatus.IMPROVED
    assert plan_status(transferred=True, later_at_bottom=[True]) is PlanStatus.TRANSFERRED


rates = st.one_of(st.none(), st.floats(0, 1, allow_nan=False))
subjects = st.lists(st.tuples(rates, st.integers(0, 2), st.integers(0, 20)),
                    min_size=0, max_size=30)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(subjects, st.integers(1, 5))
def test_ranking_properties(found: list[tuple[float | None, int, int]], bottom_count: int
                            ) -> None:
    listed = [Subject(n, f"C{n:03d}", f"对象{n}",
                      {"satisfaction": sat, "overdue_orders": float(overdue)}, privacy)
              for n, (sat, privacy, overdue) in enumerate(found)]
    indicators = [Indicator("satisfaction", "满意率", Unit.RATE, Mode.WEIGHT, 100), OVERDUE]
    rows = rank(listed, indicators, bottom_count)
    assert sorted(r.subject.key for r in rows) == list(range(len(found)))
    ranked = [r for r in rows if r.rank is not None]
    assert [r.rank for r in ranked] == list(range(1, len(ranked) + 1))
    # every score lies on 0–100
    assert all(r.scored.score is None or 0 <= r.scored.score <= 100 for r in rows)
    # every violator is ranked below every other ranked subject, and at the bottom
    violators = [r for r in ranked if r.subject.privacy]
    clean = [r for r in ranked if not r.subject.privacy]
    assert all(v.at_bottom for v in violators)
    if violators and clean:
        assert min(v.rank or 0 for v in violators) > max(c.rank or 0 for c in clean)
    # among the clean, a better score never ranks lower
    for a, b in zip(clean, clean[1:], strict=False):
        assert (a.scored.score or 0) >= (b.scored.score or 0)
    # the bottom of the clean is their last bottom_count when more are ranked
    # the bottom: the last ``bottom_count`` when more are ranked, and every violator
    expected = max(bottom_count, len(violators)) if len(ranked) > bottom_count \
        else len(violators)
    assert [r.at_bottom for r in ranked] == [i >= len(ranked) - expected
                                             for i in range(len(ranked))]
    assert not any(r.at_bottom for r in rows if r.rank is None)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.floats(0, 1), st.integers(0, 50))
def test_more_deductions_never_raise_the_score(sat: float, n: int) -> None:
    a = score(SHEET, {"satisfaction": sat, "ranking": 1, "overdue_orders": float(n)},
              {"ranking": 3})
    b = score(SHEET, {"satisfaction": sat, "ranking": 1, "overdue_orders": float(n + 1)},
              {"ranking": 3})
    assert (b.score or 0) <= (a.score or 0)
