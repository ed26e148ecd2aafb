"""The figure formulas against hand-computed fixtures, and the additivity of Counts."""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from haochaping.stats import rules
from haochaping.stats.rules import Counts, Figure, Period, RatingFact

# 10 real ratings: 3×5, 2×4, 2×3, 2×2, 1×1; 4 defaults; 2 invalidated; 3 superseded
FACTS = ([RatingFact(5)] * 3 + [RatingFact(4)] * 2 + [RatingFact(3)] * 2 + [RatingFact(2)] * 2
         + [RatingFact(1)] + [RatingFact(3, is_default=True)] * 4
         + [RatingFact(1, invalidated=True), RatingFact(5, invalidated=True, is_current=False)]
         + [RatingFact(4, is_current=False)] * 3)


def test_rating_figures_by_hand() -> None:
    c = rules.count_ratings(FACTS)
    assert (c.real_ratings, c.default_ratings, c.invalidated, c.superseded) == (10, 4, 2, 3)
    figures = rules.compute(c)
    assert figures[Figure.SATISFACTION] == Fraction(7, 10)
    assert figures[Figure.BAD_REVIEW] == Fraction(3, 10)
    assert figures[Figure.AVERAGE_SCORE] == Fraction(15 + 8 + 6 + 4 + 1, 10)


def test_handling_and_order_figures_by_hand() -> None:
    c = Counts(completed=20, rated_real=12, rated_default=5, orders=8, voided=2, closed=5,
               closed_on_time=3, called_back=6, appealed=4, appeal_upheld=1)
    figures = rules.compute(c)
    assert figures[Figure.PARTICIPATION] == Fraction(12, 20)
    assert figures[Figure.DEFAULT_SHARE] == Fraction(5, 20)
    assert figures[Figure.RECTIFICATION] == Fraction(5, 6)
    assert figures[Figure.ON_TIME_RECTIFICATION] == Fraction(3, 6)
    assert figures[Figure.CALLBACK] == Fraction(6, 6)
    assert figures[Figure.APPEAL] == Fraction(4, 8)
    assert figures[Figure.UPHELD_APPEAL] == Fraction(1, 4)


def test_nothing_to_divide_by_is_none_not_zero() -> None:
    assert set(rules.compute(Counts()).values()) == {None}


facts = st.builds(RatingFact, level=st.integers(1, 5), is_default=st.booleans(),
                  is_current=st.booleans(), invalidated=st.booleans())


@given(st.lists(facts), st.lists(facts))
def test_merging_counts_equals_counting_the_union(a: list[RatingFact],
                                                  b: list[RatingFact]) -> None:
    merged = rules.count_ratings(a) + rules.count_ratings(b)
    assert merged == rules.count_ratings(a + b)
    assert rules.compute(merged) == rules.compute(rules.count_ratings(a + b))
    assert rules.total([rules.count_ratings(a), rules.count_ratings(b)]) == merged


def test_days_are_shanghai_days() -> None:
    utc_evening = datetime.fromisoformat("2025-03-31T16:30:00+00:00")
    assert rules.local_day(utc_evening) == date(2025, 4, 1)
    start, end = rules.day_bounds(date(2025, 4, 1))
    assert start.isoformat() == "2025-04-01T00:00:00+08:00"
    assert (end - start).days == 1


def test_buckets_and_previous_periods() -> None:
    d = date(2025, 5, 14)  # a Wednesday
    assert rules.bucket_start(d, Period.WEEK) == date(2025, 5, 12)
    assert rules.bucket_start(d, Period.QUARTER) == date(2025, 4, 1)
    assert rules.shift(date(2025, 1, 1), Period.MONTH, -1) == date(2024, 12, 1)
    win = rules.window(Period.MONTH, date(2025, 2, 10), date(2025, 4, 3))
    assert (win.start, win.end, win.buckets) == (date(2025, 2, 1), date(2025, 5, 1), 3)
    assert win.previous() == rules.Window(Period.MONTH, date(2024, 11, 1), date(2025, 2, 1))
    year = rules.window(Period.YEAR, date(2024, 6, 1), date(2024, 6, 1))
    assert year.previous().start == date(2023, 1, 1)
    day = rules.window(Period.DAY, date(2024, 3, 1), date(2024, 3, 1))
    assert day.previous() == rules.Window(Period.DAY, date(2024, 2, 29), date(2024, 3, 1))


def test_spelled_out_sums_follow_the_level_tables() -> None:
    """Counts spells the level sums out for speed; they must equal the level tables."""
    counts = rules.Counts(level_5=1, level_4=10, level_3=100, level_2=1000, level_1=10000)
    assert counts.real_ratings == sum(counts.level(v) for v in rules.LEVELS)
    assert counts.satisfied == sum(counts.level(v) for v in rules.SATISFIED_LEVELS)
    assert counts.bad_reviews == sum(counts.level(v) for v in rules.BAD_LEVELS)
    assert rules.average_score_terms(counts)[0] == sum(v * counts.level(v) for v in rules.LEVELS)
