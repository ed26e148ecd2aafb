"""Working-day arithmetic on the official Chinese calendar, in Asia/Shanghai. Pure, no ORM.

Sources, in order of precedence:
1. ``overrides`` (``catalog.CalendarOverride`` rows, edited by the office): a date mapped
   to True is a working day, to False a rest day;
2. the ``chinese_calendar`` package (statutory holidays and make-up working days 调休);
3. for a year the package does not cover: weekends only (Monday–Friday are working days).
   :func:`uncovered_years` reports such years so the admin and ``haochaping calendar
   check`` can warn loudly.

Deadline convention (STYLE.md §6: deadlines are computed once and stored):
a limit of N days after a moment ends at the END of the Nth qualifying day after the
moment's local (Asia/Shanghai) day, i.e. at 23:59:59.999999 local time. The moment's own
day never counts, whatever the hour. "N working days" counts only working days; "N natural
days" counts every day. N = 0 ends at the end of the moment's own day. A limit in hours is
exact elapsed time. An item is overdue when ``now > due_at``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType

import chinese_calendar

from haochaping.catalog.rules.policies import Duration, DurationUnit

# The local zone and day are core's (core.localtime), re-exported for deadlines.
from haochaping.core.localtime import SHANGHAI as SHANGHAI
from haochaping.core.localtime import local_day as local_day

END_OF_DAY = time(23, 59, 59, 999999)
NO_OVERRIDES: Mapping[date, bool] = MappingProxyType({})
# Years probed for package coverage; the package supports 2004 onwards.
_PROBE_YEARS = range(2000, 2101)


@functools.cache
def covered_years() -> frozenset[int]:
    """Years the installed ``chinese_calendar`` package has holiday data for."""
    years: set[int] = set()
    for year in _PROBE_YEARS:
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            continue
        years.add(year)
    return frozenset(years)


def package_version() -> str:
    return str(getattr(chinese_calendar, "__version__", "unknown"))


def uncovered_years(years: Iterable[int], overrides: Mapping[date, bool] = NO_OVERRIDES,
                    ) -> list[int]:
    """Years the package lacks and for which the office entered no override at all: their
    working days fall back to Monday–Friday, which misses holidays and make-up days."""
    override_years = {day.year for day in overrides}
    return sorted({y for y in years if y not in covered_years() and y not in override_years})


def is_workday(day: date, overrides: Mapping[date, bool] = NO_OVERRIDES) -> bool:
    if day in overrides:
        return overrides[day]
    if day.year in covered_years():
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=SHANGHAI)


def _check_amount(n: int) -> None:
    if n < 0:
        raise ValueError("a time limit cannot be negative")


def add_working_days(moment: datetime, n: int,
                     overrides: Mapping[date, bool] = NO_OVERRIDES) -> datetime:
    """End of the Nth working day after the moment's local day (module docstring)."""
    _check_amount(n)
    day = local_day(moment)
    remaining = n
    while remaining:
        day += timedelta(days=1)
        if is_workday(day, overrides):
            remaining -= 1
    return end_of_day(day)


def add_natural_days(moment: datetime, n: int) -> datetime:
    """End of the Nth calendar day after the moment's local day."""
    _check_amount(n)
    return end_of_day(local_day(moment) + timedelta(days=n))


def add_hours(moment: datetime, n: int) -> datetime:
    _check_amount(n)
    local_day(moment)
    # Through UTC: wall-clock arithmetic in a zone with DST would gain or lose an hour.
    return (moment.astimezone(UTC) + timedelta(hours=n)).astimezone(SHANGHAI)


def add_duration(moment: datetime, duration: Duration,
                 overrides: Mapping[date, bool] = NO_OVERRIDES) -> datetime:
    if duration.unit is DurationUnit.WORKING_DAYS:
        return add_working_days(moment, duration.amount, overrides)
    if duration.unit is DurationUnit.NATURAL_DAYS:
        return add_natural_days(moment, duration.amount)
    return add_hours(moment, duration.amount)


def working_days_between(a: datetime, b: datetime,
                         overrides: Mapping[date, bool] = NO_OVERRIDES) -> int:
    """Working days d with local(a) < d <= local(b); negative when b is before a.

    The inverse of :func:`add_working_days`: ``working_days_between(m,
    add_working_days(m, n)) == n``.
    """
    start, end = local_day(a), local_day(b)
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        count += is_workday(day, overrides)
    return sign * count


def years_spanned(moment: datetime, duration: Duration) -> list[int]:
    """Calendar years a limit starting at ``moment`` may reach (to load overrides for)."""
    first = local_day(moment).year
    days = duration.amount * (2 if duration.unit is DurationUnit.WORKING_DAYS else 1)
    if duration.unit is DurationUnit.HOURS:
        days = duration.amount // 24 + 1
    last = (local_day(moment) + timedelta(days=days + 31)).year
    return list(range(first, last + 1))
