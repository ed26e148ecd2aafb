"""The local time zone and the local day, defined once (STYLE.md §15).

Every deployment runs on Beijing time: deadlines, working days, statistics days, report
months and the times shown on screens and in exports are all Asia/Shanghai. Settings take
``TIME_ZONE`` from here; rules and queries import :data:`SHANGHAI` and :func:`local_day`.
Pure Python (no Django import), so settings and the pure rule modules may use it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TIME_ZONE_NAME = "Asia/Shanghai"
SHANGHAI = ZoneInfo(TIME_ZONE_NAME)


def local_day(moment: datetime) -> date:
    """The Asia/Shanghai calendar day of an aware moment."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("moment must be timezone-aware")
    return moment.astimezone(SHANGHAI).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day as aware datetimes."""
    start = datetime.combine(day, time.min, tzinfo=SHANGHAI)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=SHANGHAI)
