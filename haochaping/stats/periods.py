"""Periods of the statistics (Asia/Shanghai): buckets and windows of whole buckets.
Pure Python, no ORM; re-exported by ``stats.rules``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"  # ISO weeks, Monday first
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


def as_date(value: date | datetime | str) -> date:
    """A date as a database answers it: a date, a midnight timestamp (date_trunc), or
    text (SQLite's date functions)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


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


def last_complete(today: date, period: Period) -> date:
    """The last day of the latest period that has ended by ``today`` (the screens open on
    it: the current period is partial, most figures 样本不足)."""
    return bucket_start(today, period) - timedelta(days=1)


def default_span(today: date, period: Period, buckets: int) -> tuple[date, date]:
    """The dashboard's default: ``buckets`` whole periods ending with the last complete one."""
    end = last_complete(today, period)
    return shift(end, period, 1 - buckets), end


def direction(value: float | None, previous: float | None) -> str:
    """``up``, ``down`` or ``flat`` from the previous period; empty when either is unknown."""
    if value is None or previous is None:
        return ""
    return "up" if value > previous else "down" if value < previous else "flat"
