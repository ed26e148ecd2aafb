"""Ranking rules against hand-computed fixtures (no database)."""

from __future__ import annotations

from fractions import Fraction

from haochaping.stats import ranking_rules as rr
from haochaping.stats.rules import Counts, Figure


def counts(good: int, bad: int = 0, *, completed: int = 0, rated: int = 0, orders: int = 0,
           on_time: int = 0) -> Counts:
    return Counts(level_5=good, level_1=bad, completed=completed, rated_real=rated,
                  orders=orders, closed=on_time, closed_on_time=on_time)


def cand(key: int, code: str, c: Counts) -> rr.Candidate:
    return rr.Candidate(key, code, f"单位{key}", c)


def test_composite_is_the_weighted_mean_of_the_components() -> None:
    # 9 of 10 satisfied, 10 of 20 handlings rated, the 1 order closed on time:
    # 50 × 0.9 + 20 × 0.5 + 20 × 1 + 10 × (1 − 0.1) = 45 + 10 + 20 + 9 = 84
    c = counts(9, 1, completed=20, rated=10, orders=1, on_time=1)
    parts = rr.components(c)
    assert parts == {Figure.SATISFACTION: Fraction(9, 10), Figure.PARTICIPATION: Fraction(1, 2),
                     Figure.ON_TIME_RECTIFICATION: Fraction(1), Figure.BAD_REVIEW:
                     Fraction(9, 10),
                     # no items: 1 − 0 for 被投诉率; nothing closed, nothing called
                     Figure.COMPLAINED: Fraction(1), Figure.ITEM_ON_TIME: None,
                     Figure.SPOT_SATISFACTION: None}
    assert rr.composite(parts, rr.DEFAULT_WEIGHTS) == 84


def test_a_figure_without_denominator_is_left_out_and_weights_rescaled() -> None:
    # No orders: (50 × 1 + 20 × 0.5 + 10 × 1) / 80 × 100 = 87.5
    c = counts(10, completed=20, rated=10)
    assert rr.composite(rr.components(c), rr.DEFAULT_WEIGHTS) == Fraction(175, 2)


def test_office_weights_change_the_order() -> None:
    a = cand(1, "A", counts(10, completed=40, rated=10))  # all satisfied, few take part
    b = cand(2, "B", counts(8, 2, completed=10, rated=10))  # everyone rates, 80 % satisfied
    # default: A (50 × 1 + 20 × 0.25 + 10 × 1) / 80 = 81.25, B (40 + 20 + 8) / 80 = 85
    assert [(r.code, r.composite) for r in rr.rank([a, b])] == [
        ("B", 85), ("A", Fraction(325, 4))]
    satisfaction_only = rr.Weights(satisfaction=100, participation=0,
                                   on_time_rectification=0, bad_review=0)
    assert [(r.code, r.composite) for r in rr.rank([a, b], satisfaction_only)] == [
        ("A", 100), ("B", 80)]


def test_ties_break_by_more_ratings_then_by_code() -> None:
    rows = rr.rank([
        cand(1, "C", counts(10, completed=10, rated=10)),  # 100, 10 ratings
        cand(2, "B", counts(10, completed=10, rated=10)),  # 100, 10 ratings → code B < C
        cand(3, "Z", counts(20, completed=20, rated=20)),  # 100, 20 ratings → first
        cand(4, "A", counts(9, 1, completed=10, rated=10)),  # lower composite
    ])
    assert [(r.code, r.rank) for r in rows] == [("Z", 1), ("B", 2), ("C", 3), ("A", 4)]
    assert rows[0].composite == rows[1].composite == rows[2].composite == 100


def test_rows_below_the_minimum_sample_are_listed_unranked() -> None:
    w = rr.Weights(min_sample=10)
    rows = rr.rank([cand(1, "B", counts(9)), cand(2, "A", counts(4, 5)),
                    cand(3, "C", counts(10))], w)
    assert [(r.code, r.rank, r.status) for r in rows] == [
        ("C", 1, ""), ("A", None, "样本不足"), ("B", None, "样本不足")]
    assert rows[1].composite is None


def test_bottom_rows_only_when_there_are_more_ranked_rows_than_the_bottom_count() -> None:
    w = rr.Weights(min_sample=1, bottom_count=1)
    three = rr.rank([cand(i, c, counts(10 - i, i)) for i, c in enumerate("ABC", 1)], w)
    assert [r.at_bottom for r in three] == [False, False, True]
    one = rr.rank([cand(1, "A", counts(1, 9))], w)
    assert not one[0].at_bottom


def _period(w: rr.Weights, worst: str, unranked: str = "") -> list[rr.Ranked]:
    good = {"A": 9, "B": 8, "C": 7}
    return rr.rank([cand(ord(code), code, counts(0 if code == unranked else
                                                  (1 if code == worst else good[code]),
                                                  0 if code == unranked else 1))
                    for code in "ABC"], w)


def test_rows_at_the_bottom_for_n_consecutive_periods_are_flagged() -> None:
    w = rr.Weights(min_sample=2, bottom_count=1, bottom_periods=3)
    series = [_period(w, "B"), _period(w, "C"), _period(w, "C"), _period(w, "C")]
    flags = rr.bottom_flags(series, w)
    assert [(f.code, f.periods, f.ranks) for f in flags] == [("C", 3, [3, 3, 3])]
    # C was last only in the last two periods: no flag yet
    assert rr.bottom_flags(series[:3], w) == []
    # fewer periods than required: nothing to flag
    assert rr.bottom_flags(series[-2:], w) == []


def test_an_unranked_period_breaks_the_streak() -> None:
    w = rr.Weights(min_sample=2, bottom_count=1, bottom_periods=2)
    series = [_period(w, "C"), _period(w, "B", unranked="C"), _period(w, "C")]
    assert rr.bottom_flags(series, w) == []
    assert [f.code for f in rr.bottom_flags([series[0], series[2]], w)] == ["C"]


def test_weight_errors() -> None:
    assert rr.weight_errors(rr.DEFAULT_WEIGHTS) == []
    assert rr.weight_errors(rr.Weights(satisfaction=60)) == [
        ("weights", "各项权重之和须为 100")]
    assert rr.weight_errors(rr.Weights(satisfaction=-1))[0][0] == "satisfaction"
    assert [f for f, _ in rr.weight_errors(rr.Weights(min_sample=0, bottom_count=0,
                                                      bottom_periods=25))] == [
        "min_sample", "bottom_count", "bottom_periods"]
