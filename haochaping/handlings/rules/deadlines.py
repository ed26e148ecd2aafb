"""Sweep deadlines of a completed handling, from the org's policy and the calendar. Pure.

Computed when the handling completes and stored (STYLE.md §6), and again when a later
update corrects its completion time (``handlings.services._set_deadlines``):
- ``invite_due_at`` = completed + policy ``invitation_delay`` (seed 003 §9: SMS after
  24 h), only when the policy invites by SMS and the rater has a phone;
- ``default_due_at`` = completed + ``default_rating_after`` (seed 000 §11: 7 natural
  days), only when the policy has a ``default_rating_level``;
- ``rating_closes_at`` = completed + ``supplementary_window`` (seed 003 §12: 5 working
  days), only when the policy sets one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from haochaping.catalog.rules import calendar
from haochaping.catalog.rules.policies import Duration, DurationUnit, Policy


@dataclass(frozen=True)
class Deadlines:
    invite_due_at: datetime | None = None
    default_due_at: datetime | None = None
    rating_closes_at: datetime | None = None


NO_DEADLINES = Deadlines()


@dataclass
class DeadlineCalculator:
    """Adds policy durations with the calendar overrides of one intake call; day-based
    limits depend only on the local day, so they are memoised per (day, duration)."""

    overrides: Mapping[date, bool]
    _memo: dict[tuple[date, Duration], datetime] = field(default_factory=dict)

    def add(self, moment: datetime, duration: Duration) -> datetime:
        if duration.unit is DurationUnit.HOURS:
            return calendar.add_hours(moment, duration.amount)
        key = (calendar.local_day(moment), duration)
        due = self._memo.get(key)
        if due is None:
            due = self._memo[key] = calendar.add_duration(moment, duration, self.overrides)
        return due

    def deadlines(self, completed_at: datetime, policy: Policy, *,
                  has_phone: bool) -> Deadlines:
        invite = policy.invitation_delay
        default_after = (policy.default_rating_after
                         if policy.default_rating_level is not None else None)
        window = policy.supplementary_window
        return Deadlines(
            invite_due_at=self.add(completed_at, invite) if invite and has_phone else None,
            default_due_at=self.add(completed_at, default_after) if default_after else None,
            rating_closes_at=self.add(completed_at, window) if window else None,
        )


def override_years(completed: list[datetime]) -> list[int]:
    """Calendar years whose overrides a batch of completions may need (policy limits are
    at most 366 working days, under two calendar years)."""
    if not completed:
        return []
    days = [calendar.local_day(m).year for m in completed]
    return list(range(min(days), max(days) + 3))
