"""Performance review (绩效考核, issue 15): pure scoring rules, no ORM.

A review sheet (考核方案) lists indicators, each reading one input of the registry
(``appraisal.inputs``) and counted one of two ways:

- **weighted** (``Mode.WEIGHT``, weights are whole points summing to 100): the input is
  brought to [0, 1] by its unit (a rate as it is; a 0–100 score divided by 100; a
  ranking position as its relative place, 1 for the first and 0 for the last of the
  ranked) and multiplied by its weight. An indicator without a value for a subject is
  left out and the other weights are scaled up, as the statistics' composite does
  (``stats.ranking_rules.composite``): a staff member without bad-review orders is not
  punished for having none to rectify;
- **deduction** (``Mode.DEDUCT``): points per unit of a count (e.g. 2 points per overdue
  work order), subtracted from the weighted score; the score never falls below 0.

Seed 003 §22: a privacy violation puts the subject straight at the bottom (绩效考核结果直接
排名末位) whatever its score: violators are ranked after everybody else and always
counted among the bottom. Subjects with no weighted value at all and no violation are
listed as 数据不足 without a rank.

Seed 000 §15: the bottom of a review is its last ``bottom_count`` ranked rows (when more
than that many are ranked) plus every violator; a subject at the bottom in each of the
last ``bottom_periods`` consecutive published reviews of a sheet is listed for an
improvement plan (限期整改), and for 调换 if still at the bottom in the review after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

WEIGHT_TOTAL = 100
MAX_DEDUCTION = 100.0
FORMAT_VERSION = 1
NO_DATA = "数据不足"


class SubjectKind(StrEnum):
    ORG = "org"
    STAFF = "staff"

    @property
    def label(self) -> str:
        return {"org": "部门", "staff": "工作人员"}[self.value]


class PeriodKind(StrEnum):
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def label(self) -> str:
        return {"quarter": "季度", "year": "年度"}[self.value]


class Unit(StrEnum):
    RATE = "rate"  # a fraction in [0, 1]
    RANK = "rank"  # a ranking position, 1 = best
    SCORE = "score"  # points on 0–100
    COUNT = "count"  # items

    @property
    def label(self) -> str:
        return {"rate": "比率", "rank": "名次", "score": "分", "count": "件"}[self.value]


class Mode(StrEnum):
    WEIGHT = "weight"
    DEDUCT = "deduct"

    @property
    def label(self) -> str:
        return {"weight": "权重计分", "deduct": "按件扣分"}[self.value]


WEIGHTED_UNITS = frozenset({Unit.RATE, Unit.RANK, Unit.SCORE})


class PlanStatus(StrEnum):
    RECTIFYING = "rectifying"  # 限期整改中: no later review yet
    IMPROVED = "improved"  # the next review no longer has it at the bottom
    TRANSFER_DUE = "transfer_due"  # still at the bottom: 调换 (staff) / 问责 (org)
    TRANSFERRED = "transferred"  # the office recorded the 调换

    @property
    def label(self) -> str:
        return PLAN_STATUS_LABELS[self]


PLAN_STATUS_LABELS = {PlanStatus.RECTIFYING: "限期整改中", PlanStatus.IMPROVED: "已改善",
                      PlanStatus.TRANSFER_DUE: "仍排名靠后，应予调换",
                      PlanStatus.TRANSFERRED: "已调换"}


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    unit: Unit
    mode: Mode
    weight: int = 0
    deduction: float = 0.0


def indicators_refusal(indicators: Sequence[Indicator]) -> str | None:
    """The Chinese reason a sheet's indicators are refused, or None."""
    if not indicators:
        return "请至少选择一项考核指标"
    keys = [i.key for i in indicators]
    if len(set(keys)) != len(keys):
        return "同一指标不能重复设置"
    weighted = [i for i in indicators if i.mode is Mode.WEIGHT]
    for i in indicators:
        if i.mode is Mode.WEIGHT and i.unit not in WEIGHTED_UNITS:
            return f"“{i.label}”是计数指标，只能按件扣分"
        if i.mode is Mode.WEIGHT and not 0 < i.weight <= WEIGHT_TOTAL:
            return f"“{i.label}”的权重须在 1 至 {WEIGHT_TOTAL} 之间"
        if i.mode is Mode.DEDUCT and i.unit is not Unit.COUNT:
            return f"“{i.label}”不是计数指标，只能按权重计分"
        if i.mode is Mode.DEDUCT and not 0 <= i.deduction <= MAX_DEDUCTION:
            return f"“{i.label}”的每件扣分须在 0 至 {MAX_DEDUCTION:g} 之间"
    if not weighted:
        return "请至少设置一项按权重计分的指标"
    if sum(i.weight for i in weighted) != WEIGHT_TOTAL:
        return f"各项权重之和须为 {WEIGHT_TOTAL}"
    return None


# --- periods ------------------------------------------------------------------------------

def period_bounds(kind: PeriodKind, year: int, quarter: int = 1) -> tuple[date, date]:
    """First and last day of the year or of its quarter (1–4)."""
    if kind is PeriodKind.YEAR:
        return date(year, 1, 1), date(year, 12, 31)
    if not 1 <= quarter <= 4:
        raise ValueError("quarter must be 1-4")
    start = date(year, 3 * quarter - 2, 1)
    nxt = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, nxt - timedelta(days=1)


def period_label(kind: PeriodKind, start: date) -> str:
    if kind is PeriodKind.YEAR:
        return f"{start.year}年度"
    return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"


def follows(earlier_end: date, later_start: date) -> bool:
    return later_start == earlier_end + timedelta(days=1)


# --- scoring ------------------------------------------------------------------------------

def normalized(unit: Unit, value: float, ranked: int = 0) -> float:
    """A weighted input on [0, 1]; ``ranked``: how many were ranked (unit RANK)."""
    if unit is Unit.RANK:
        if ranked <= 1:
            return 1.0
        return min(1.0, max(0.0, (ranked - value) / (ranked - 1)))
    if unit is Unit.SCORE:
        return min(1.0, max(0.0, value / 100))
    return min(1.0, max(0.0, value))


@dataclass(frozen=True)
class Scored:
    base: float | None  # weighted score on 0–100, None when no weighted value exists
    deductions: float
    score: float | None


def score(indicators: Sequence[Indicator], values: Mapping[str, float | None],
          ranked: Mapping[str, int] | None = None) -> Scored:
    """The subject's score from its input values (module docstring)."""
    ranked = ranked or {}
    present = [(i, values[i.key]) for i in indicators
               if i.mode is Mode.WEIGHT and values.get(i.key) is not None]
    weight = sum(i.weight for i, _ in present)
    base = None
    if weight:
        base = 100 * sum(i.weight * normalized(i.unit, float(v or 0), ranked.get(i.key, 0))
                         for i, v in present) / weight
    deductions = sum(i.deduction * float(values.get(i.key) or 0)
                     for i in indicators if i.mode is Mode.DEDUCT)
    total = None if base is None else max(0.0, base - deductions)
    return Scored(base, deductions, total)


@dataclass(frozen=True)
class Subject:
    key: int
    code: str  # the last tie-breaker
    name: str
    values: dict[str, float | None] = field(default_factory=dict)
    privacy: int = 0  # privacy violations in the period (003 §22)


@dataclass(frozen=True)
class Row:
    subject: Subject
    scored: Scored
    rank: int | None = None
    at_bottom: bool = False

    @property
    def status(self) -> str:
        if self.subject.privacy:
            return "泄露评价人信息，直接排名末位"
        return NO_DATA if self.rank is None else ""


def rank(subjects: Iterable[Subject], indicators: Sequence[Indicator], bottom_count: int,
         ranked: Mapping[str, int] | None = None) -> list[Row]:
    """Rows in order: the scored by score (then code), then the privacy violators (by
    score, then code), each with its rank; then the unscored without a rank."""
    scored = [(s, score(indicators, s.values, ranked)) for s in subjects]

    def order(pair: tuple[Subject, Scored]) -> tuple[float, str]:
        return (-(pair[1].score or 0.0), pair[0].code)

    clean = sorted([p for p in scored if not p[0].privacy and p[1].score is not None],
                   key=order)
    violators = sorted([p for p in scored if p[0].privacy], key=order)
    unscored = sorted([p for p in scored if not p[0].privacy and p[1].score is None],
                      key=lambda p: p[0].code)
    ordered = clean + violators
    n = len(ordered)
    bottom_from = n - bottom_count if n > bottom_count else n
    rows = [Row(s, sc, rank=i + 1, at_bottom=i >= bottom_from or bool(s.privacy))
            for i, (s, sc) in enumerate(ordered)]
    return rows + [Row(s, sc) for s, sc in unscored]


def bottom(rows: Iterable[Row]) -> list[Row]:
    return [r for r in rows if r.at_bottom]


def streak_flags(series: Sequence[tuple[date, date, set[int]]], needed: int) -> set[int]:
    """Subjects at the bottom in each of the last ``needed`` reviews of ``series``
    (oldest first: start, end, keys at the bottom), the reviews consecutive periods."""
    if needed < 1 or len(series) < needed:
        return set()
    recent = series[-needed:]
    for (_, end, _), (start, _, _) in zip(recent, recent[1:], strict=False):
        if not follows(end, start):
            return set()
    keys = set(recent[0][2])
    for _, _, at_bottom in recent[1:]:
        keys &= at_bottom
    return keys


def plan_status(*, transferred: bool, later_at_bottom: Sequence[bool]) -> PlanStatus:
    """An improvement plan's state from the reviews published after the one that
    listed it (oldest first): the first of them decides."""
    if transferred:
        return PlanStatus.TRANSFERRED
    if not later_at_bottom:
        return PlanStatus.RECTIFYING
    return PlanStatus.TRANSFER_DUE if later_at_bottom[0] else PlanStatus.IMPROVED


def rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


def row_document(row: Row) -> dict[str, Any]:
    s = row.subject
    return {"rank": row.rank, "key": s.key, "code": s.code, "name": s.name,
            "values": {k: rounded(v, 6) for k, v in sorted(s.values.items())},
            "privacy": s.privacy, "base": rounded(row.scored.base),
            "deductions": rounded(row.scored.deductions), "score": rounded(row.scored.score),
            "at_bottom": row.at_bottom, "status": row.status}
