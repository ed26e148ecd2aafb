"""Public disclosure (公示专栏) rules: which period a query names, the headline figures of a
published snapshot, search text and paging. Pure Python. (Typical cases are redacted when the office
publishes them: workorders.typical_rules.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

# The public form of a period is the snapshots' (stats, below): re-exported for the pages.
from haochaping.stats.snapshot_rules import period_value as period_value

PERIODS = ("month", "quarter")
PERIOD_LABELS = {"month": "月度", "quarter": "季度"}
EARLIEST_YEAR = 2000

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


class BadQuery(ValueError):
    """A public query parameter that names no period; the message is Chinese."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def previous_period_start(today: date, period: str) -> date:
    """The first day of the last complete month or quarter before ``today``."""
    months = 1 if period == "month" else 3
    current = date(today.year, today.month if months == 1 else
                   3 * ((today.month - 1) // 3) + 1, 1)
    index = current.year * 12 + current.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def period_label(period: str, start: date) -> str:
    if period == "month":
        return f"{start.year}年{start.month}月"
    return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"


def parse_period(period: str | None, at: str | None, today: date,
                 default: Callable[[str], date] | None = None) -> tuple[str, date]:
    """``period`` (month / quarter) and ``at`` (``2026-10`` or ``2026-Q3``) → the period
    and its first day; when ``at`` is missing, ``default(period)`` (the latest published
    period) or else the last complete one. A period that has not ended yet is refused:
    results are published for complete periods only, never live."""
    period = period or "month"
    if period not in PERIODS:
        raise BadQuery("period", "统计周期只能是“月度”或“季度”")
    if not at:
        return period, (default or (lambda p: previous_period_start(today, p)))(period)
    pattern = _MONTH if period == "month" else _QUARTER
    found = pattern.match(at)
    if found is None:
        example = "2026-10" if period == "month" else "2026-Q3"
        raise BadQuery("at", f"期间格式不正确，应形如 {example}")
    year, part = int(found.group(1)), int(found.group(2))
    if period == "month" and not 1 <= part <= 12:
        raise BadQuery("at", "月份须在 1 至 12 之间")
    start = date(year, part if period == "month" else 3 * part - 2, 1)
    if year < EARLIEST_YEAR or start > previous_period_start(today, period):
        raise BadQuery("at", "只能查询已结束的统计期间")
    return period, start


# --- headline figures, search and paging ----------------------------------------------

PAGE_SIZE = 20
TOP = 5  # departments the 公示专栏's front page shows of the latest ranking


@dataclass(frozen=True)
class Headline:
    """Counts summed from one published snapshot (exact: counts, never averaged rates)."""

    departments: int  # departments in the ranking
    ranked: int  # of which ranked (enough ratings)
    ratings: int  # real ratings
    bad_reviews: int
    due: int  # bad-review orders to rectify (opened − voided)
    closed: int
    rectification: str  # closed ÷ due as 12.3%, or — with nothing due


def headline(document: Mapping[str, Any]) -> Headline:
    ranking = document.get("ranking", [])
    rectification = document.get("rectification", [])
    due = sum(r["orders"] - r["voided"] for r in rectification)
    closed = sum(r["closed"] for r in rectification)
    return Headline(
        departments=len(ranking), ranked=sum(1 for r in ranking if r.get("rank")),
        ratings=sum(r["ratings"] for r in ranking),
        bad_reviews=sum(r["bad_reviews"] for r in rectification), due=due, closed=closed,
        rectification=percent(closed / due if due else None))


def percent(value: float | None) -> str:
    """A rate as the public pages print it: ``12.3%``, or ``—`` with nothing to divide."""
    return "—" if value is None else f"{value * 100:.1f}%"


def search_text(text: str | None) -> str:
    """A search box's text: trimmed, at most 40 characters (longer queries match nothing
    more useful and are cut, never refused)."""
    return (text or "").strip()[:40]


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    pages: int  # at least 1
    total: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * PAGE_SIZE

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None


def page_of(total: int, page: str | None) -> Page:
    """The page a ``?page=`` names among ``total`` items: anything that is not a page
    number gives the first page, a number past the end the last one (a public link never
    ends on an error)."""
    pages = max(1, -(-total // PAGE_SIZE))
    number = int(page) if page and page.isascii() and page.isdigit() and len(page) < 7 else 1
    return Page(number=min(max(number, 1), pages), pages=pages, total=total)
