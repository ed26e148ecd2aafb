"""Pure rules of the time-limit sweeps (docs/workorders.md "Time-limit sweeps"): whose
duty each clock is, when to warn, the escalation level of a missed deadline. No ORM."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from haochaping.catalog.rules import calendar
from haochaping.catalog.rules.calendar import NO_OVERRIDES
from haochaping.workorders.rules import Clock, Party

# --- time-limit sweeps (docs/workorders.md "Time-limit sweeps") ---------------------------

# The clocks that are somebody's duty, and whose: the filing limit of an appeal is an
# option of the department, not a duty, so it is neither warned about nor escalated.
DUTY_CLOCKS: dict[Clock, Party] = {Clock.CONTACT: Party.HANDLER,
                                   Clock.INVESTIGATE: Party.HANDLER,
                                   Clock.RECTIFY: Party.HANDLER, Clock.RULING: Party.OFFICE}
WARNING_WORKING_DAYS = 1  # default of settings.HCP_WORKORDER_WARNING_WORKING_DAYS


def warning_due(now: datetime, due: datetime, working_days: int = WARNING_WORKING_DAYS,
                overrides: Mapping[date, bool] = NO_OVERRIDES) -> bool:
    """True once at most ``working_days`` working days are left before ``due`` (today not
    counted, the due day counted): holidays and weekends are never counted as time left,
    so a limit that ends right after a holiday is warned about before the holiday."""
    return now < due and calendar.working_days_between(now, due, overrides) <= working_days


def escalation_level(due: datetime, now: datetime,
                     overrides: Mapping[date, bool] = NO_OVERRIDES) -> int:
    """1 once a limit has run out, until the first working day after the due day has
    passed; then +1 for every further working day the order stays overdue (holidays and
    weekends add no level)."""
    return max(calendar.working_days_between(due, now, overrides), 1)


def escalation_period(due: datetime, level: int) -> str:
    """The Escalation.period of one level of one missed deadline (unique per order, kind
    and clock): a new deadline (extension, return) starts a new series."""
    return f"{due.astimezone(calendar.SHANGHAI):%Y%m%d%H%M}#{level}"
