"""How big each demo is. Small is the ``make run`` default and must build in seconds."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoSize:
    name: str
    districts: int  # counties/districts, in the order of data/districts.csv
    townships: int  # per district
    villages: int  # per township
    # District departments implementing the city's matters: "sample" = the demo district
    # implements one matter per department (keeps small at ~200 matters), "all" = every
    # district implements every matter of its departments.
    district_matters: str
    staff_per_window: int  # at city and district halls
    handlings: int  # reported over the last ~6 months up to now (demo.activity)

    @property
    def label(self) -> str:
        return {"small": "小", "medium": "中", "large": "大"}[self.name]


SIZES: dict[str, DemoSize] = {
    "small": DemoSize("small", districts=4, townships=3, villages=2, district_matters="sample",
                      staff_per_window=2, handlings=5_000),
    "medium": DemoSize("medium", districts=12, townships=6, villages=5, district_matters="all",
                       staff_per_window=2, handlings=100_000),
    "large": DemoSize("large", districts=15, townships=15, villages=20, district_matters="all",
                      staff_per_window=3, handlings=1_000_000),
}
