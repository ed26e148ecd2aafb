"""Composite rankings (综合排名) of departments, windows and staff. Pure Python, no ORM.

The composite score of a row is the weighted mean of its figures (stats.rules), each a
value in [0, 1], scaled to 0–100 (docs/metrics.md, "Rankings"):

- satisfaction rate (满意率), participation rate (参评率), on-time rectification rate
  (按期整改率) count as they are; the bad-review rate (差评率) counts negatively, as
  ``1 − 差评率``;
- a figure with nothing to divide by (e.g. no bad-review orders, so no on-time
  rectification rate) is left out and the remaining weights are scaled up, so a
  department without bad reviews is not punished for having no orders to rectify.

Rows with fewer current valid real ratings than ``min_sample`` are listed as 样本不足 and
not ranked. Ranked rows are ordered by, in turn: higher composite, more real ratings,
lower code; every ranked row gets its own rank (1, 2, 3, …) so the order is deterministic.

Seed 000 §15 (评价结果落后的行业、部门、工作人员; 长期服务评价靠后的工作人员): at
every level (department, window, staff, matter category as 行业) a row is at the bottom
of a period when it is among the last ``bottom_count`` ranked rows of a ranking with
more than ``bottom_count`` ranked rows; it is flagged when it was at the bottom in each
of the last ``bottom_periods`` periods (a period where it was unranked breaks the
streak).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from haochaping.stats import rules


class Level(StrEnum):
    ORG = "org"
    WINDOW = "window"
    STAFF = "staff"
    MATTER_CATEGORY = "matter_category"  # 行业: the matter's category (seed 000 §15)


LEVEL_LABELS: dict[Level, str] = {Level.ORG: "部门", Level.WINDOW: "窗口",
                                  Level.STAFF: "工作人员",
                                  Level.MATTER_CATEGORY: "行业（事项类型）"}
INSUFFICIENT = "样本不足"

# figure → does a higher value mean better service?
COMPONENTS: dict[rules.Figure, bool] = {
    rules.Figure.SATISFACTION: True,
    rules.Figure.PARTICIPATION: True,
    rules.Figure.ON_TIME_RECTIFICATION: True,
    rules.Figure.BAD_REVIEW: False,
    # the complaint figures (seed 004 §8), weighted 0 unless the office weights them
    rules.Figure.COMPLAINED: False,
    rules.Figure.ITEM_ON_TIME: True,
    rules.Figure.SPOT_SATISFACTION: True,
}
WEIGHT_FIELDS: dict[rules.Figure, str] = {
    rules.Figure.SATISFACTION: "satisfaction",
    rules.Figure.PARTICIPATION: "participation",
    rules.Figure.ON_TIME_RECTIFICATION: "on_time_rectification",
    rules.Figure.BAD_REVIEW: "bad_review",
    rules.Figure.COMPLAINED: "complained",
    rules.Figure.ITEM_ON_TIME: "item_on_time",
    rules.Figure.SPOT_SATISFACTION: "spot_satisfaction",
}
WEIGHT_TOTAL = 100
MAX_MIN_SAMPLE = 100_000
MAX_BOTTOM_COUNT = 100
MAX_BOTTOM_PERIODS = 24


@dataclass(frozen=True)
class Weights:
    """Office-configurable; weights are whole percentages that sum to 100."""

    satisfaction: int = 50
    participation: int = 20
    on_time_rectification: int = 20
    bad_review: int = 10
    min_sample: int = 10
    bottom_count: int = 3
    bottom_periods: int = 3
    complained: int = 0  # 被投诉率, counted as 1 − 被投诉率 (never below 0)
    item_on_time: int = 0  # 按期办结率
    spot_satisfaction: int = 0  # 抽查回访满意率

    def of(self, figure: rules.Figure) -> int:
        value: int = getattr(self, WEIGHT_FIELDS[figure])
        return value


DEFAULT_WEIGHTS = Weights()


def weight_errors(w: Weights) -> list[tuple[str, str]]:
    """(field, Chinese message) for each reason the weights are refused; [] when valid."""
    errors: list[tuple[str, str]] = []
    for name in WEIGHT_FIELDS.values():
        value = getattr(w, name)
        if not 0 <= value <= WEIGHT_TOTAL:
            errors.append((name, f"权重须在 0 至 {WEIGHT_TOTAL} 之间"))
    if not errors and sum(w.of(f) for f in COMPONENTS) != WEIGHT_TOTAL:
        errors.append(("weights", f"各项权重之和须为 {WEIGHT_TOTAL}"))
    if not 1 <= w.min_sample <= MAX_MIN_SAMPLE:
        errors.append(("min_sample", f"最低样本量须在 1 至 {MAX_MIN_SAMPLE} 之间"))
    if not 1 <= w.bottom_count <= MAX_BOTTOM_COUNT:
        errors.append(("bottom_count", f"靠后名次数须在 1 至 {MAX_BOTTOM_COUNT} 之间"))
    if not 1 <= w.bottom_periods <= MAX_BOTTOM_PERIODS:
        errors.append(("bottom_periods",
                       f"连续靠后周期数须在 1 至 {MAX_BOTTOM_PERIODS} 之间"))
    return errors


@dataclass(frozen=True)
class Candidate:
    key: Hashable  # org / window / staff id
    code: str  # tie-breaker of last resort
    name: str
    counts: rules.Counts


@dataclass(frozen=True)
class Ranked:
    key: Hashable
    code: str
    name: str
    counts: rules.Counts
    components: dict[rules.Figure, Fraction | None]
    composite: Fraction | None  # 0–100; None when 样本不足
    rank: int | None = None
    at_bottom: bool = False

    @property
    def sufficient(self) -> bool:
        return self.rank is not None

    @property
    def status(self) -> str:
        return "" if self.sufficient else INSUFFICIENT


def components(c: rules.Counts) -> dict[rules.Figure, Fraction | None]:
    """Each component as a value in [0, 1] where higher is better (None: no denominator)."""
    values = rules.compute(c)
    result: dict[rules.Figure, Fraction | None] = {}
    for figure, higher_is_better in COMPONENTS.items():
        value = values[figure]
        result[figure] = (value if value is None or higher_is_better
                          else max(Fraction(0), 1 - value))
    return result


def composite(parts: dict[rules.Figure, Fraction | None], w: Weights) -> Fraction | None:
    """Weighted mean on 0–100 of the components that have a value."""
    present = [(w.of(f), v) for f, v in parts.items() if v is not None and w.of(f) > 0]
    weight = sum(weight for weight, _ in present)
    if not weight:
        return None
    return Fraction(100) * sum((weight * value for weight, value in present),
                               Fraction(0)) / weight


def rank(candidates: Iterable[Candidate], w: Weights = DEFAULT_WEIGHTS) -> list[Ranked]:
    """Ranked rows first (by the tie rules of this module), then 样本不足 rows by code."""
    ranked: list[Ranked] = []
    short: list[Ranked] = []
    for c in candidates:
        parts = components(c.counts)
        score = composite(parts, w) if c.counts.real_ratings >= w.min_sample else None
        row = Ranked(c.key, c.code, c.name, c.counts, parts, score)
        (ranked if score is not None else short).append(row)
    ranked.sort(key=lambda r: (-(r.composite or 0), -r.counts.real_ratings, r.code))
    n = len(ranked)
    bottom_from = n - w.bottom_count if n > w.bottom_count else n
    result = [Ranked(r.key, r.code, r.name, r.counts, r.components, r.composite,
                     rank=i + 1, at_bottom=i >= bottom_from)
              for i, r in enumerate(ranked)]
    return result + sorted(short, key=lambda r: r.code)


@dataclass(frozen=True)
class BottomFlag:
    key: Hashable
    code: str
    name: str
    periods: int  # consecutive periods at the bottom, ending with the latest
    ranks: list[int] = field(default_factory=list)  # oldest first


def bottom_flags(periods: Sequence[Sequence[Ranked]], w: Weights = DEFAULT_WEIGHTS
                 ) -> list[BottomFlag]:
    """Rows at the bottom in each of the last ``w.bottom_periods`` rankings (oldest
    first in ``periods``), ordered by code."""
    needed = w.bottom_periods
    if len(periods) < needed:
        return []
    recent = periods[-needed:]
    bottom = [{r.key: r for r in ranking if r.at_bottom} for ranking in recent]
    keys = set(bottom[0]).intersection(*bottom[1:])
    flags = []
    for key in keys:
        latest = bottom[-1][key]
        flags.append(BottomFlag(key, latest.code, latest.name, needed,
                                [b[key].rank or 0 for b in bottom]))
    return sorted(flags, key=lambda f: f.code)
