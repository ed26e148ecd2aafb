"""Every statistics figure, defined once (docs/metrics.md). Pure Python, no ORM.

Figures are computed from :class:`Counts`, a bag of additive integers: the counts of a
month are the sums of the counts of its days, and the counts of an org subtree are the
sums of its orgs' counts, so every figure can be computed from rollup rows (issue 5).

Exclusions, applied when the counts are taken (stats.rollup and the drill-downs):
- an invalidated rating (upheld appeal, seed 003 §23: 不计入评价数据统计) never counts
  in any figure; it is only counted in ``invalidated``;
- a superseded rating (a newer rating of the same handling, seed 003 §10) never counts in
  any figure; it is only counted in ``superseded``;
- a default rating (seed 000 §11: 默认为基本满意) is counted apart in ``default_ratings``
  and never enters the satisfaction, bad-review or average figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from enum import StrEnum
from fractions import Fraction
from functools import cache, partial
from operator import attrgetter

from haochaping.catalog.rules.standards import BAD_LEVELS as BAD_LEVELS
from haochaping.catalog.rules.standards import SATISFIED_LEVELS as SATISFIED_LEVELS
from haochaping.catalog.rules.standards import Level

# The local zone and day are core's (core.localtime), re-exported for the statistics.
from haochaping.core.localtime import SHANGHAI as SHANGHAI
from haochaping.core.localtime import day_bounds as day_bounds
from haochaping.core.localtime import local_day as local_day

# Periods live in stats.periods; the statistics name them through this module.
from haochaping.stats.periods import Period as Period
from haochaping.stats.periods import Window as Window
from haochaping.stats.periods import as_date as as_date
from haochaping.stats.periods import bucket_start as bucket_start
from haochaping.stats.periods import shift as shift
from haochaping.stats.periods import window as window

LEVELS: tuple[int, ...] = tuple(v.value for v in Level)  # 5 … 1
# 非常满意、满意、基本满意 and 不满意、非常不满意 (差评): catalog.rules.standards decides.
_SATISFIED = attrgetter(*(f"level_{v}" for v in SATISFIED_LEVELS))
_BAD = attrgetter(*(f"level_{v}" for v in BAD_LEVELS))


@dataclass(slots=True)
class Counts:
    """Additive counts behind every figure (treated as a value: never changed after it
    is built; not frozen, as building tens of thousands is on the statistics' hot path).
    Ratings are counted on the day they were given; handlings on the day they were
    completed; work orders on the day they were opened (their later fate updates that
    day's counts)."""

    # current, valid, real ratings by level (非常满意 … 非常不满意)
    level_5: int = 0
    level_4: int = 0
    level_3: int = 0
    level_2: int = 0
    level_1: int = 0
    default_ratings: int = 0  # current, valid default ratings (counted apart)
    invalidated: int = 0  # ratings invalidated after an upheld appeal
    superseded: int = 0  # ratings replaced by a newer rating of the same handling (stage)
    # completed handlings, and how many of them hold a current valid real / default rating
    completed: int = 0
    rated_real: int = 0
    rated_default: int = 0
    # bad-review work orders
    orders: int = 0
    voided: int = 0
    closed: int = 0
    closed_on_time: int = 0
    called_back: int = 0
    appealed: int = 0
    appeal_upheld: int = 0
    # 诉求件 (seed 004 §8) by the org of their order, else subject org, else office (metrics.md)
    items_inquiry: int = 0  # 咨询
    items_complaint: int = 0  # 投诉
    items_suggestion: int = 0  # 建议
    items_bad_review: int = 0  # 差评 forwarded from outside
    items_comment: int = 0  # 综合点评
    items_accepted: int = 0  # accepted or later (ACCEPTED_STATUSES), any kind
    items_refused: int = 0  # 不予受理 (as they stand: an overturned refusal is accepted)
    complaints_accepted: int = 0  # 投诉 accepted or later
    items_closed: int = 0  # on the day closed
    items_closed_on_time: int = 0  # … and their order never passed a duty clock
    spot_reached: int = 0  # 抽查回访 on the day called: submitter reached
    spot_satisfied: int = 0  # … and satisfied

    def __add__(self, other: Counts) -> Counts:
        return Counts(*[getattr(self, n) + getattr(other, n) for n in COUNT_FIELDS])

    def level(self, level: int) -> int:
        value: int = getattr(self, f"level_{level}")
        return value

    # Spelled out or through attrgetter, not a loop over LEVELS: a year of org × month
    # computes these for tens of thousands of rows.
    @property
    def real_ratings(self) -> int:
        return self.level_5 + self.level_4 + self.level_3 + self.level_2 + self.level_1

    @property
    def satisfied(self) -> int:
        return int(sum(_SATISFIED(self)))

    @property
    def bad_reviews(self) -> int:
        return int(sum(_BAD(self)))

    @property
    def orders_due(self) -> int:
        """Orders that must be rectified: opened and not voided (a voided order belongs
        to an invalidated rating or a withdrawn re-rating)."""
        return self.orders - self.voided

    @property
    def items(self) -> int:
        """Items received, every kind (merged and refused ones included)."""
        return (self.items_inquiry + self.items_complaint + self.items_suggestion
                + self.items_bad_review + self.items_comment)


COUNT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Counts))


def total(items: Iterable[Counts]) -> Counts:
    result = Counts()
    for item in items:
        result = result + item
    return result


def ratio(numerator: int, denominator: int) -> Fraction | None:
    """None when there is nothing to divide by (shown as "—", never as 0 %)."""
    return Fraction(numerator, denominator) if denominator else None


class Figure(StrEnum):
    SATISFACTION = "satisfaction_rate"
    PARTICIPATION = "participation_rate"
    DEFAULT_SHARE = "default_rate"
    BAD_REVIEW = "bad_review_rate"
    AVERAGE_SCORE = "average_score"
    RECTIFICATION = "rectification_rate"
    ON_TIME_RECTIFICATION = "on_time_rectification_rate"
    CALLBACK = "callback_rate"
    APPEAL = "appeal_rate"
    UPHELD_APPEAL = "upheld_appeal_rate"
    COMPLAINED = "complained_rate"
    ITEM_ON_TIME = "item_on_time_rate"
    SPOT_SATISFACTION = "spot_satisfaction_rate"
    ACCEPTANCE = "acceptance_rate"


FIGURE_LABELS: dict[Figure, str] = {
    Figure.SATISFACTION: "满意率",
    Figure.PARTICIPATION: "参评率",
    Figure.DEFAULT_SHARE: "默认评价率",
    Figure.BAD_REVIEW: "差评率",
    Figure.AVERAGE_SCORE: "平均分",
    Figure.RECTIFICATION: "整改率",
    Figure.ON_TIME_RECTIFICATION: "按期整改率",
    Figure.CALLBACK: "回访率",
    Figure.APPEAL: "申诉率",
    Figure.UPHELD_APPEAL: "申诉成立率",
    Figure.COMPLAINED: "被投诉率",
    Figure.ITEM_ON_TIME: "按期办结率",
    Figure.SPOT_SATISFACTION: "抽查回访满意率",
    Figure.ACCEPTANCE: "受理率",
}


def satisfaction_terms(c: Counts) -> tuple[int, int]:
    """满意率 = (非常满意 + 满意 + 基本满意) / current valid real ratings."""
    return c.satisfied, c.real_ratings


def participation_terms(c: Counts) -> tuple[int, int]:
    """参评率 = completed handlings with a current valid real rating / completed."""
    return c.rated_real, c.completed


def default_terms(c: Counts) -> tuple[int, int]:
    """Shown beside 参评率: completed handlings holding only a default rating."""
    return c.rated_default, c.completed


def bad_review_terms(c: Counts) -> tuple[int, int]:
    """差评率 = (不满意 + 非常不满意) / current valid real ratings."""
    return c.bad_reviews, c.real_ratings


def average_score_terms(c: Counts) -> tuple[int, int]:
    """Mean level on the 1–5 scale (非常满意 = 5) of current valid real ratings."""
    return (5 * c.level_5 + 4 * c.level_4 + 3 * c.level_3 + 2 * c.level_2 + c.level_1,
            c.real_ratings)


def rectification_terms(c: Counts) -> tuple[int, int]:
    """整改率 = closed bad-review orders / orders due (opened, not voided)."""
    return c.closed, c.orders_due


def on_time_rectification_terms(c: Counts) -> tuple[int, int]:
    """按期整改率 = orders closed without ever passing a duty deadline / orders due."""
    return c.closed_on_time, c.orders_due


def callback_terms(c: Counts) -> tuple[int, int]:
    """回访率 = orders with at least one recorded call-back / orders due
    (seed 003 §18: 回访率要达到 100%)."""
    return c.called_back, c.orders_due


def appeal_terms(c: Counts) -> tuple[int, int]:
    """申诉率 = orders with an appeal filed / orders opened."""
    return c.appealed, c.orders


def upheld_appeal_terms(c: Counts) -> tuple[int, int]:
    """申诉成立率 = orders whose appeal was upheld / orders with an appeal."""
    return c.appeal_upheld, c.appealed


def complained_terms(c: Counts) -> tuple[int, int]:
    """被投诉率 (seed 004 §8) = accepted 投诉 / completed handlings of the org."""
    return c.complaints_accepted, c.completed


def item_on_time_terms(c: Counts) -> tuple[int, int]:
    """按期办结率 (seed 004 §8) = items closed whose order never ran late / items closed."""
    return c.items_closed_on_time, c.items_closed


def spot_satisfaction_terms(c: Counts) -> tuple[int, int]:
    """抽查回访满意率 (seed 004 §8) = spot checks satisfied / spot checks reached."""
    return c.spot_satisfied, c.spot_reached


def acceptance_terms(c: Counts) -> tuple[int, int]:
    """受理率 = items accepted (or later) / items decided (accepted + refused)."""
    return c.items_accepted, c.items_accepted + c.items_refused


# Every figure as (numerator, denominator): the one definition. The exact value is a
# Fraction (compute); the API's float is the same quotient, correctly rounded (as_float).
TERMS: dict[Figure, Callable[[Counts], tuple[int, int]]] = {
    Figure.SATISFACTION: satisfaction_terms,
    Figure.PARTICIPATION: participation_terms,
    Figure.DEFAULT_SHARE: default_terms,
    Figure.BAD_REVIEW: bad_review_terms,
    Figure.AVERAGE_SCORE: average_score_terms,
    Figure.RECTIFICATION: rectification_terms,
    Figure.ON_TIME_RECTIFICATION: on_time_rectification_terms,
    Figure.CALLBACK: callback_terms,
    Figure.APPEAL: appeal_terms,
    Figure.UPHELD_APPEAL: upheld_appeal_terms,
    Figure.COMPLAINED: complained_terms,
    Figure.ITEM_ON_TIME: item_on_time_terms,
    Figure.SPOT_SATISFACTION: spot_satisfaction_terms,
    Figure.ACCEPTANCE: acceptance_terms,
}


@cache
def coefficients(which: Figure) -> tuple[dict[str, int], dict[str, int]]:
    """The figure's numerator and denominator as ``{count field: factor}``, read off its
    terms above (every terms function is linear in the counts; test_rules proves it), so
    the database can compute the same quotient (stats.selectors.figure_table) without a
    second definition."""
    terms = TERMS[which]
    if terms(Counts()) != (0, 0):
        raise ValueError(f"{which} is not linear in the counts")
    numerator: dict[str, int] = {}
    denominator: dict[str, int] = {}
    for name in COUNT_FIELDS:
        top, bottom = terms(Counts(**{name: 1}))
        if top:
            numerator[name] = top
        if bottom:
            denominator[name] = bottom
    return numerator, denominator


def figure(c: Counts, which: Figure) -> Fraction | None:
    return ratio(*TERMS[which](c))


def satisfaction_rate(c: Counts) -> Fraction | None:
    return figure(c, Figure.SATISFACTION)


def participation_rate(c: Counts) -> Fraction | None:
    return figure(c, Figure.PARTICIPATION)


def default_rate(c: Counts) -> Fraction | None:
    return figure(c, Figure.DEFAULT_SHARE)


def bad_review_rate(c: Counts) -> Fraction | None:
    return figure(c, Figure.BAD_REVIEW)


def average_score(c: Counts) -> Fraction | None:
    return figure(c, Figure.AVERAGE_SCORE)


def rectification_rate(c: Counts) -> Fraction | None:
    return figure(c, Figure.RECTIFICATION)


def on_time_rectification_rate(c: Counts) -> Fraction | None:
    return figure(c, Figure.ON_TIME_RECTIFICATION)


def callback_rate(c: Counts) -> Fraction | None:
    return figure(c, Figure.CALLBACK)


def appeal_rate(c: Counts) -> Fraction | None:
    return figure(c, Figure.APPEAL)


def upheld_appeal_rate(c: Counts) -> Fraction | None:
    return figure(c, Figure.UPHELD_APPEAL)


FORMULAS = {
    Figure.SATISFACTION: satisfaction_rate,
    Figure.PARTICIPATION: participation_rate,
    Figure.DEFAULT_SHARE: default_rate,
    Figure.BAD_REVIEW: bad_review_rate,
    Figure.AVERAGE_SCORE: average_score,
    Figure.RECTIFICATION: rectification_rate,
    Figure.ON_TIME_RECTIFICATION: on_time_rectification_rate,
    Figure.CALLBACK: callback_rate,
    Figure.APPEAL: appeal_rate,
    Figure.UPHELD_APPEAL: upheld_appeal_rate,
    Figure.COMPLAINED: partial(figure, which=Figure.COMPLAINED),
    Figure.ITEM_ON_TIME: partial(figure, which=Figure.ITEM_ON_TIME),
    Figure.SPOT_SATISFACTION: partial(figure, which=Figure.SPOT_SATISFACTION),
    Figure.ACCEPTANCE: partial(figure, which=Figure.ACCEPTANCE),
}


# The figures of ratings alone: a breakdown of ratings (by stage, stats.stages) has no
# handling or work-order counts behind it.
RATING_FIGURES = (Figure.SATISFACTION, Figure.BAD_REVIEW, Figure.AVERAGE_SCORE)


def compute(c: Counts) -> dict[Figure, Fraction | None]:
    return {which: ratio(*terms(c)) for which, terms in TERMS.items()}


def as_float(c: Counts, which: Figure) -> float | None:
    """``float(figure(c, which))`` without building the Fraction: int / int is the
    correctly rounded quotient, the same float."""
    numerator, denominator = TERMS[which](c)
    return numerator / denominator if denominator else None


@dataclass(frozen=True)
class RatingFact:
    """One evaluation row as the counts see it (used by tests and drill-down checks)."""

    level: int
    is_default: bool = False
    is_current: bool = True
    invalidated: bool = False


def count_ratings(facts: Iterable[RatingFact]) -> Counts:
    """The rating counts of raw facts, with the exclusions of this module."""
    tally = dict.fromkeys(COUNT_FIELDS, 0)
    for fact in facts:
        if fact.invalidated:
            tally["invalidated"] += 1
        elif not fact.is_current:
            tally["superseded"] += 1
        elif fact.is_default:
            tally["default_ratings"] += 1
        else:
            tally[f"level_{fact.level}"] += 1
    return Counts(**tally)


def first_touch(touches: Iterable[tuple[float, bool]]) -> tuple[float | None, Fraction | None]:
    """首次响应 of items' orders touched: (hours from the item's arrival to the order's first
    department action, within 1 working day?) → (median hours, share within 1 working
    day); (None, None) when none was touched. Not additive: computed from rows."""
    pairs = sorted(touches)
    if not pairs:
        return None, None
    n, mid = len(pairs), len(pairs) // 2
    median = pairs[mid][0] if n % 2 else (pairs[mid - 1][0] + pairs[mid][0]) / 2
    return median, Fraction(sum(1 for _, ok in pairs if ok), n)
