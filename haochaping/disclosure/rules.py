"""Public disclosure (公示专栏) rules: which period a query names and the figure definitions
read from docs/metrics.md. Pure Python. (Typical cases are redacted when the office
publishes them: workorders.typical_rules.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

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


# --- docs/metrics.md, rendered without a Markdown library --------------------------------


@dataclass
class Block:
    kind: str  # "p", "ul" or "table"
    lines: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)


def _inline(text: str) -> str:
    return text.replace("**", "").replace("`", "").strip()


def _cells(line: str) -> list[str]:
    return [_inline(c) for c in line.strip().strip("|").split("|")]


def sections(markdown: str, titles: Iterable[str]) -> list[Section]:
    """The ``## `` sections of ``markdown`` whose title starts with one of ``titles``, as
    paragraphs, lists and tables (the subset of Markdown docs/metrics.md uses)."""
    wanted = tuple(titles)
    result: list[Section] = []
    current: Section | None = None
    block: Block | None = None
    for raw in markdown.splitlines():
        line = raw.rstrip()
        if line.startswith("## "):
            title = line[3:].strip()
            current = Section(title) if title.startswith(wanted) else None
            if current is not None:
                result.append(current)
            block = None
            continue
        if current is None or line.startswith("#"):
            continue
        if not line.strip():
            block = None
        elif line.startswith("|"):
            if block is None or block.kind != "table":
                block = Block("table", header=_cells(line))
                current.blocks.append(block)
            elif not set(line.replace("|", "").strip()) <= set("-: "):
                block.rows.append(_cells(line))
        elif line.startswith("- "):
            if block is None or block.kind != "ul":
                block = Block("ul")
                current.blocks.append(block)
            block.lines.append(_inline(line[2:]))
        elif block is not None and block.kind in ("p", "ul"):
            block.lines[-1] = f"{block.lines[-1]} {_inline(line)}"
        else:
            block = Block("p", lines=[_inline(line)])
            current.blocks.append(block)
    return result
