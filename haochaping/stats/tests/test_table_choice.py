"""Which rollup table answers a figures request (stats.selectors.tables): the coarsest
one holding every requested dimension, a month table only for whole months."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from haochaping.stats.models import (
    ChannelMonthRollup,
    EvaluationRollup,
    HandlingRollup,
    MatterMonthRollup,
    OrgDayRollup,
    OrgMonthRollup,
    WindowMonthRollup,
    WorkOrderRollup,
)
from haochaping.stats.rules import Period, window
from haochaping.stats.selectors import _one_row_per_group, tables

FINE = (EvaluationRollup, HandlingRollup, WorkOrderRollup)
MARCH = window(Period.MONTH, date(2026, 3, 1), date(2026, 3, 31))
DAYS = window(Period.DAY, date(2026, 3, 5), date(2026, 3, 11))
WEEKS = window(Period.WEEK, date(2026, 3, 2), date(2026, 3, 29))


@pytest.mark.parametrize(("group_by", "filters", "win", "expected"), [
    ((), {}, MARCH, (OrgMonthRollup,)),
    (("org",), {}, MARCH, (OrgMonthRollup,)),
    (("region", "period"), {}, window(Period.QUARTER, date(2026, 1, 1), date(2026, 6, 30)),
     (OrgMonthRollup,)),
    (("org", "period"), {"org": 7}, window(Period.YEAR, date(2025, 1, 1), date(2026, 12, 1)),
     (OrgMonthRollup,)),
    (("channel",), {}, MARCH, (ChannelMonthRollup,)),
    (("org",), {"channel": "web"}, MARCH, (ChannelMonthRollup,)),
    # not whole months: the day table
    (("org",), {}, DAYS, (OrgDayRollup,)),
    (("period",), {}, WEEKS, (OrgDayRollup,)),
    # a month window with a day trend still needs days
    (("period",), {}, window(Period.DAY, date(2026, 3, 1), date(2026, 3, 31)),
     (OrgDayRollup,)),
    (("matter",), {}, MARCH, (MatterMonthRollup,)),
    (("org",), {"matter_category": "licensing"}, MARCH, (MatterMonthRollup,)),
    (("window",), {"org": 3}, MARCH, (WindowMonthRollup,)),
    # no coarse table has the channel by day, staff, halls, or two of these together
    (("channel",), {}, DAYS, (EvaluationRollup,)),
    (("matter",), {}, DAYS, FINE),
    (("staff",), {}, MARCH, FINE),
    (("hall",), {}, MARCH, FINE),
    (("window",), {"matter": 5}, MARCH, FINE),
    (("staff", "channel"), {}, MARCH, (EvaluationRollup,)),
])
def test_the_coarsest_table_that_can_answer(group_by: tuple[str, ...], filters: dict[str, Any],
                                            win: Any, expected: tuple[type, ...]) -> None:
    assert tables(group_by, filters, win) == expected


@pytest.mark.parametrize(("model", "columns", "win", "expected"), [
    (OrgMonthRollup, ["org_id"], MARCH, True),
    (OrgMonthRollup, ["org_id", "bucket"], MARCH, True),
    (OrgMonthRollup, ["org_id", "bucket"],
     window(Period.MONTH, date(2026, 1, 1), date(2026, 3, 31)), True),
    # three months summed into one group, or into a quarter
    (OrgMonthRollup, ["org_id"], window(Period.MONTH, date(2026, 1, 1), date(2026, 3, 31)),
     False),
    (OrgMonthRollup, ["org_id", "bucket"],
     window(Period.QUARTER, date(2026, 1, 1), date(2026, 3, 31)), False),
    (OrgMonthRollup, ["org__region_id"], MARCH, False),
    (OrgMonthRollup, [], MARCH, False),
    (ChannelMonthRollup, ["org_id"], MARCH, False),
    (ChannelMonthRollup, ["org_id", "channel"], MARCH, True),
    (OrgDayRollup, ["org_id", "bucket"], DAYS, True),
    (OrgDayRollup, ["org_id"], DAYS, False),
    (OrgDayRollup, ["org_id"], window(Period.DAY, date(2026, 3, 5), date(2026, 3, 5)), True),
    (OrgDayRollup, ["org_id", "bucket"], WEEKS, False),
    (EvaluationRollup, ["org_id"], MARCH, False),
])
def test_a_group_is_one_row_only_when_the_key_is_the_tables_grain(
        model: type, columns: list[str], win: Any, expected: bool) -> None:
    assert _one_row_per_group(model, columns, win) is expected
