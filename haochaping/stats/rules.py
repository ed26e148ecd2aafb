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

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from fractions import Fraction
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

LEVELS = (5, 4, 3, 2, 1)
SATISFIED_LEVELS = (5, 4, 3)  # 非常满意、满意、基本满意
BAD_LEVELS = (2, 1)  # 不满意、非常不满意 = 差评


@dataclass(frozen=True)
class Counts:
    """Additive counts behind every figure. Ratings are counted on the day they were
    given; handlings on the day they were completed; work orders on the day they were
    opened (their later fate updates that day's counts)."""

    # current, valid, real ratings by level (非常满意 … 非常不满意)
    level_5: int = 0
    level_4: int = 0
    level_3: int = 0
    level_2: int = 0
    level_1: int = 0
    default_ratings: int = 0  # current, valid default ratings (counted apart)
    invalidated: int = 0  # ratings invalidated after an upheld appeal
    superseded: int = 0  # ratings replaced by a newer rating of the same handling
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

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{f.name: getattr(self, f.name) + getattr(other, f.name)
                         for f in fields(self)})

    def level(self, level: int) -> int:
        value: int = getattr(self, f"level_{level}")
        return value

    @property
    def real_ratings(self) -> int:
        return sum(self.level(v) for v in LEVELS)

    @property
    def satisfied(self) -> int:
        return sum(self.level(v) for v in SATISFIED_LEVELS)

    @property
    def bad_reviews(self) -> int:
        return sum(self.level(v) for v in BAD_LEVELS)

    @property
    def orders_due(self) -> int:
        """Orders that must be rectified: opened and not voided (a voided order belongs
        to an invalidated rating or a withdrawn re-rating)."""
        return self.orders - self.voided


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
}


def satisfaction_rate(c: Counts) -> Fraction | None:
    """满意率 = (非常满意 + 满意 + 基本满意) / current valid real ratings."""
    return ratio(c.satisfied, c.real_ratings)


def participation_rate(c: Counts) -> Fraction | None:
    """参评率 = completed handlings with a current valid real rating / completed."""
    return ratio(c.rated_real, c.completed)


def default_rate(c: Counts) -> Fraction | None:
    """Shown beside 参评率: completed handlings holding only a default rating."""
    return ratio(c.rated_default, c.completed)


def bad_review_rate(c: Counts) -> Fraction | None:
    """差评率 = (不满意 + 非常不满意) / current valid real ratings."""
    return ratio(c.bad_reviews, c.real_ratings)


def average_score(c: Counts) -> Fraction | None:
    """Mean level on the 1–5 scale (非常满意 = 5) of current valid real ratings."""
    return ratio(sum(v * c.level(v) for v in LEVELS), c.real_ratings)


def rectification_rate(c: Counts) -> Fraction | None:
    """整改率 = closed bad-review orders / orders due (opened, not voided)."""
    return ratio(c.closed, c.orders_due)


def on_time_rectification_rate(c: Counts) -> Fraction | None:
    """按期整改率 = orders closed without ever passing a duty deadline / orders due."""
    return ratio(c.closed_on_time, c.orders_due)


def callback_rate(c: Counts) -> Fraction | None:
    """回访率 = orders with at least one recorded call-back / orders due
    (seed 003 §18: 回访率要达到 100%)."""
    return ratio(c.called_back, c.orders_due)


def appeal_rate(c: Counts) -> Fraction | None:
    """申诉率 = orders with an appeal filed / orders opened."""
    return ratio(c.appealed, c.orders)


def upheld_appeal_rate(c: Counts) -> Fraction | None:
    """申诉成立率 = orders whose appeal was upheld / orders with an appeal."""
    return ratio(c.appeal_upheld, c.appealed)


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
}


def compute(c: Counts) -> dict[Figure, Fraction | None]:
    return {figure: formula(c) for figure, formula in FORMULAS.items()}


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


# --- periods (Asia/Shanghai) ------------------------------------------------------------


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"  # ISO weeks, Monday first
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


def local_day(moment: datetime) -> date:
    """The calendar day in Asia/Shanghai that an aware moment falls on."""
    return moment.astimezone(SHANGHAI).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a Shanghai calendar day as aware datetimes."""
    start = datetime.combine(day, time.min, tzinfo=SHANGHAI)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=SHANGHAI)


def bucket_start(day: date, period: Period) -> date:
    if period is Period.DAY:
        return day
    if period is Period.WEEK:
        return day - timedelta(days=day.weekday())
    if period is Period.MONTH:
        return day.replace(day=1)
    if period is Period.QUARTER:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)


def shift(start: date, period: Period, n: int) -> date:
    """The bucket ``n`` periods after the bucket starting at ``start`` (n may be < 0)."""
    start = bucket_start(start, period)
    if period is Period.DAY:
        return start + timedelta(days=n)
    if period is Period.WEEK:
        return start + timedelta(weeks=n)
    months = {Period.MONTH: 1, Period.QUARTER: 3, Period.YEAR: 12}[period] * n
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Window:
    """Whole buckets [start, end): ``start`` is a bucket start, ``end`` the start of the
    bucket after the last one."""

    period: Period
    start: date
    end: date

    @property
    def buckets(self) -> int:
        n, cursor = 0, self.start
        while cursor < self.end:
            cursor, n = shift(cursor, self.period, 1), n + 1
        return n

    def previous(self) -> Window:
        """The same number of buckets immediately before (the comparison period)."""
        n = self.buckets
        return Window(self.period, shift(self.start, self.period, -n), self.start)


def window(period: Period, first: date, last: date) -> Window:
    """The buckets covering the days ``first`` … ``last`` (both included)."""
    return Window(period, bucket_start(first, period), shift(last, period, 1))
