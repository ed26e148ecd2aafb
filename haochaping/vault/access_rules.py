"""When reveals of raters' identities look unusual (issue 17, docs/privacy.md). Pure, no
ORM: the thresholds come from the policy (``reveal_daily_alert``, ``reveal_hours_start``,
``reveal_hours_end``), the counts and the local time from the caller."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

DAILY = "daily"
HOURS = "hours"


@dataclass(frozen=True)
class Thresholds:
    daily: int  # more reveals than this by one person in one local day is unusual
    hours_start: int  # office hours [start, end) in local time, whole hours
    hours_end: int


@dataclass(frozen=True)
class Alert:
    rule: str
    text: str


def within_hours(local: datetime, start: int, end: int) -> bool:
    """Whether the local time falls in office hours; ``start >= end`` means no window is
    set (every hour counts as office hours)."""
    if start >= end:
        return True
    return start <= local.hour < end


def alerts_for(*, reveals_today: int, local: datetime, limits: Thresholds,
               who: str) -> list[Alert]:
    """The alerts one reveal raises: ``reveals_today`` counts it (the person's reveals of
    the local day, this one included); ``local`` is its local time; ``who`` names the
    person for the office (org, role and name: the office may know its staff)."""
    found: list[Alert] = []
    if reveals_today > limits.daily:
        found.append(Alert(DAILY, f"{who} 今日已查看 {reveals_today} 名评价人身份信息，"
                                  f"超过 {limits.daily} 人的提醒阈值"))
    if not within_hours(local, limits.hours_start, limits.hours_end):
        found.append(Alert(HOURS, f"{who} 于 {local:%H:%M} 查看评价人身份信息，"
                                  f"不在 {limits.hours_start}:00–{limits.hours_end}:00 工作时间内"))
    return found
