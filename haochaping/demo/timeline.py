"""When demo handlings happen: working days of the official calendar (statutory holidays
and make-up days from ``catalog.rules.calendar``) and hall opening hours, in Asia/Shanghai.
Pure Python, seeded."""

from __future__ import annotations

import bisect
import random
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from haochaping.catalog.rules import calendar

SHANGHAI = calendar.SHANGHAI
MONTHS = 6
# Hall opening hours: 9:00–12:00 and 13:00–17:30 (minutes after midnight).
MORNING = (9 * 60, 12 * 60)
AFTERNOON = (13 * 60, 17 * 60 + 30)
# Relative traffic by weekday: Mondays and Fridays are busiest.
WEEKDAY_WEIGHT = (1.25, 1.0, 0.95, 1.0, 1.15, 0.6, 0.6)


class Timeline:
    """The working days from ~6 months ago up to ``now`` and a few weeks ahead (for
    promised completions), with a gentle upward trend in traffic."""

    def __init__(self, now: datetime, overrides: Mapping[date, bool]) -> None:
        self.now = now
        today = calendar.local_day(now)
        first = today - timedelta(days=MONTHS * 30)
        span = [first + timedelta(days=i) for i in range((today - first).days + 60)]
        self.workdays = [d for d in span if calendar.is_workday(d, overrides)]
        # Today counts once the halls have been open for a while.
        opened = now.astimezone(SHANGHAI).hour >= 10
        self.past = [d for d in self.workdays if d < today or (d == today and opened)]
        n = len(self.past)
        self.weights = [WEEKDAY_WEIGHT[d.weekday()] * (0.8 + 0.4 * i / max(n - 1, 1))
                        for i, d in enumerate(self.past)]

    def per_day(self, total: int) -> list[tuple[date, int]]:
        """``total`` handlings spread over the past working days by weight."""
        scale = total / sum(self.weights)
        counts = [int(w * scale) for w in self.weights]
        for i in range(total - sum(counts)):
            counts[-1 - i % len(counts)] += 1
        return list(zip(self.past, counts, strict=True))

    def working_moment(self, day: date, rng: random.Random) -> datetime:
        """A moment during the hall's opening hours on ``day``."""
        start, end = MORNING if rng.random() < 0.55 else AFTERNOON
        midnight = datetime.combine(day, time(0), tzinfo=SHANGHAI)
        moment = midnight + timedelta(minutes=rng.uniform(start, end))
        if moment > self.now >= midnight:  # today: only the hours already past
            opening = midnight + timedelta(minutes=MORNING[0])
            moment = opening + (self.now - opening) * rng.random()
        return moment

    def add_working_days(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day`` (``day`` itself for n = 0)."""
        i = bisect.bisect_left(self.workdays, day)
        return self.workdays[min(i + n, len(self.workdays) - 1)]

    def office_moment_after(self, moment: datetime, rng: random.Random, *,
                            min_days: int, max_days: int) -> datetime:
        """A moment during opening hours ``min_days``..``max_days`` working days later
        (phone calls of the supervising office)."""
        day = self.add_working_days(calendar.local_day(moment), rng.randint(min_days, max_days))
        later = self.working_moment(day, rng)
        return later if later > moment else moment + timedelta(minutes=rng.uniform(5, 60))
