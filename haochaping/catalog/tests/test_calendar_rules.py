"""Working-day arithmetic (catalog.rules.calendar): properties and fixed cases (no DB).

Fixed cases use the holiday data of chinese_calendar 1.11.0 for 2026 (checked, not
guessed): National Day 2026-10-01..07 off, make-up working days Sun 2026-09-20 and
Sat 2026-10-10; Mid-autumn 2026-09-25..27 off; Spring Festival 2026-02-15..23 off,
make-up working days Sat 2026-02-14 and Sat 2026-02-28. 2027 is not in the package.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from haochaping.catalog.rules.calendar import (
    END_OF_DAY,
    SHANGHAI,
    add_duration,
    add_hours,
    add_natural_days,
    add_working_days,
    covered_years,
    end_of_day,
    is_workday,
    local_day,
    uncovered_years,
    working_days_between,
)
from haochaping.catalog.rules.policies import Duration


def at(y: int, m: int, d: int, hour: int = 10) -> datetime:
    return datetime(y, m, d, hour, tzinfo=SHANGHAI)


def eod(y: int, m: int, d: int) -> datetime:
    return end_of_day(date(y, m, d))


moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 6, 30),
                       timezones=st.sampled_from([SHANGHAI, UTC,
                                                  ZoneInfo("America/New_York")]))
override_maps = st.dictionaries(
    st.dates(min_value=date(2026, 6, 1), max_value=date(2028, 12, 31)), st.booleans(),
    max_size=12)
amounts = st.integers(min_value=0, max_value=40)


@settings(max_examples=150, deadline=None)
@given(moment=moments, n=amounts, overrides=override_maps)
def test_add_then_count_returns_n(moment: datetime, n: int,
                                  overrides: dict[date, bool]) -> None:
    due = add_working_days(moment, n, overrides)
    assert working_days_between(moment, due, overrides) == n
    assert working_days_between(due, moment, overrides) == -n


@settings(max_examples=150, deadline=None)
@given(moment=moments, n=st.integers(min_value=1, max_value=40), overrides=override_maps)
def test_deadline_ends_a_working_day_in_shanghai(moment: datetime, n: int,
                                                  overrides: dict[date, bool]) -> None:
    due = add_working_days(moment, n, overrides)
    assert due.tzinfo is SHANGHAI
    assert due.timetz().replace(tzinfo=None) == END_OF_DAY
    assert is_workday(due.date(), overrides)
    assert due.date() > local_day(moment)


@settings(max_examples=150, deadline=None)
@given(moment=moments, n=amounts, overrides=override_maps)
def test_monotonic_in_n(moment: datetime, n: int, overrides: dict[date, bool]) -> None:
    assert add_working_days(moment, n, overrides) < add_working_days(moment, n + 1, overrides)


@settings(max_examples=150, deadline=None)
@given(moment=moments, a=amounts, b=amounts)
def test_natural_days_compose_and_count_every_day(moment: datetime, a: int, b: int) -> None:
    due = add_natural_days(moment, a + b)
    assert due == add_natural_days(add_natural_days(moment, a), b)
    assert (due.date() - local_day(moment)).days == a + b
    assert due.timetz().replace(tzinfo=None) == END_OF_DAY


@settings(max_examples=100, deadline=None)
@given(moment=moments, n=amounts, overrides=override_maps)
def test_add_duration_dispatches_on_unit(moment: datetime, n: int,
                                         overrides: dict[date, bool]) -> None:
    assert add_duration(moment, Duration.working(n), overrides) == \
        add_working_days(moment, n, overrides)
    assert add_duration(moment, Duration.natural(n), overrides) == add_natural_days(moment, n)
    assert add_duration(moment, Duration.hours(n), overrides) - moment == timedelta(hours=n)


@pytest.mark.parametrize(("n", "expected"), [
    (0, eod(2026, 9, 30)),
    (1, eod(2026, 10, 8)),  # 10-01..07 National Day
    (2, eod(2026, 10, 9)),
    (3, eod(2026, 10, 10)),  # Saturday make-up working day
    (4, eod(2026, 10, 12)),  # Sunday 10-11 is off
])
def test_national_day_2026(n: int, expected: datetime) -> None:
    assert add_working_days(at(2026, 9, 30), n) == expected


def test_mid_autumn_and_make_up_sunday_2026() -> None:
    assert add_working_days(at(2026, 9, 24), 1) == eod(2026, 9, 28)  # 09-25..27 off
    assert add_working_days(at(2026, 9, 19), 1) == eod(2026, 9, 20)  # Sunday make-up day
    assert is_workday(date(2026, 9, 20))
    assert not is_workday(date(2026, 10, 7))
    assert working_days_between(at(2026, 9, 30), at(2026, 10, 12)) == 4


def test_spring_festival_2026() -> None:
    assert add_working_days(at(2026, 2, 13), 1) == eod(2026, 2, 14)  # Saturday make-up day
    assert add_working_days(at(2026, 2, 13), 2) == eod(2026, 2, 24)  # 02-15..23 off
    assert add_working_days(at(2026, 2, 13), 5) == eod(2026, 2, 27)
    assert add_working_days(at(2026, 2, 13), 6) == eod(2026, 2, 28)  # Saturday make-up day


def test_the_local_day_counts_not_the_utc_day() -> None:
    # 2026-02-13 17:00 UTC is 2026-02-14 01:00 in Shanghai: the make-up Saturday is the
    # start day, so the first working day after it is 02-24.
    moment = datetime(2026, 2, 13, 17, tzinfo=UTC)
    assert add_working_days(moment, 1) == eod(2026, 2, 24)


def test_natural_days_ignore_holidays() -> None:
    assert add_natural_days(at(2026, 9, 30), 15) == eod(2026, 10, 15)
    assert add_natural_days(at(2026, 9, 30, 23), 0) == eod(2026, 9, 30)


def test_hours_are_exact_elapsed_time() -> None:
    assert add_hours(at(2026, 9, 30, 18), 24) == at(2026, 10, 1, 18)


def test_overrides_win_over_the_package() -> None:
    assert add_working_days(at(2026, 9, 30), 1, {date(2026, 10, 8): False}) == eod(2026, 10, 9)
    assert add_working_days(at(2026, 9, 30), 1, {date(2026, 10, 3): True}) == eod(2026, 10, 3)


def test_2027_falls_back_to_weekends_and_is_flagged() -> None:
    assert 2026 in covered_years()
    assert 2027 not in covered_years()
    assert uncovered_years([2026, 2027]) == [2027]
    # Fri 2027-01-01 is New Year's Day in reality; the fallback does not know it.
    assert is_workday(date(2027, 1, 1))
    assert add_working_days(at(2026, 12, 31), 2) == eod(2027, 1, 4)


def test_2027_overrides_cover_the_year() -> None:
    overrides = {date(2027, 1, 1): False}
    assert uncovered_years([2026, 2027], overrides) == []
    assert add_working_days(at(2026, 12, 31), 1, overrides) == eod(2027, 1, 4)


def test_bad_input_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_days(datetime(2026, 9, 30, 10), 1)  # noqa: DTZ001
    with pytest.raises(ValueError, match="negative"):
        add_working_days(at(2026, 9, 30), -1)
    with pytest.raises(ValueError, match="negative"):
        add_natural_days(at(2026, 9, 30), -1)
