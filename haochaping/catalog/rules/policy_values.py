"""The value types of policy fields (``catalog.rules.policies``): time limits and whole
numbers, each shown with its unit. Pure, no ORM; re-exported by ``policies``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class DurationUnit(StrEnum):
    NATURAL_DAYS = "natural_days"  # 自然日
    WORKING_DAYS = "working_days"  # 工作日 (official calendar, catalog.rules.calendar)
    HOURS = "hours"  # 小时, exact elapsed time (e.g. the 24 h before an SMS invitation)

    @property
    def label(self) -> str:
        return {"natural_days": "自然日", "working_days": "工作日", "hours": "小时"}[self.value]


@dataclass(frozen=True)
class Duration:
    """A time limit: ``amount`` of ``unit`` (see catalog.rules.calendar.add_duration)."""

    amount: int
    unit: DurationUnit

    @classmethod
    def natural(cls, amount: int) -> Duration:
        return cls(amount, DurationUnit.NATURAL_DAYS)

    @classmethod
    def working(cls, amount: int) -> Duration:
        return cls(amount, DurationUnit.WORKING_DAYS)

    @classmethod
    def hours(cls, amount: int) -> Duration:
        return cls(amount, DurationUnit.HOURS)

    def as_json(self) -> dict[str, Any]:
        return {"amount": self.amount, "unit": self.unit.value}

    def __str__(self) -> str:
        if self.unit is DurationUnit.HOURS:
            return f"{self.amount} 小时"
        return f"{self.amount} 个{self.unit.label}"


class Times(int):
    """A count threshold of a policy (e.g. reveals per day), shown as "5 次"."""

    def __str__(self) -> str:
        return f"{int(self)} 次"


class Hour(int):
    """An hour of the local day (0–24), shown as "18:00"."""

    def __str__(self) -> str:
        return f"{int(self):02d}:00"


class Seconds(int):
    """A span of seconds (integrity signals: a rating right after completion, a burst),
    shown in minutes when it is whole minutes: "120 秒", "30 分钟"."""

    def __str__(self) -> str:
        value = int(self)
        return f"{value // 60} 分钟" if value and value % 60 == 0 else f"{value} 秒"


class Permille(int):
    """A share or probability in thousandths (0–1000), shown as "1‰"."""

    def __str__(self) -> str:
        return f"{int(self)}‰"

    @property
    def share(self) -> float:
        return int(self) / 1000


# Bounds of the whole-number kinds.
TIMES_MAX = 1000
SECONDS_MAX = 86400  # a day
