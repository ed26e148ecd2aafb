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


# Bounds of the whole-number kinds.
TIMES_MAX = 1000
