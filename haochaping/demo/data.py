"""Reading the demo's data files (``demo/data/``): departments, matters, districts, names.

Pure Python; the files are plain UTF-8 CSV / one-entry-per-line text so that a locality
can swap in its own lists without touching code.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from haochaping.catalog.rules.codes import MatterCategory

DATA_DIR = Path(__file__).resolve().parent / "data"

CITY_NAME = "郑州市"
CITY_SHORT = "郑州"
PROVINCE_CODE = "410000000000"
PROVINCE_NAME = "河南省"
CITY_CODE = "410100000000"
DEMO_DISTRICT = "410105"  # 金水区: the district supervisor's district and the policy example

# One letter per "6+1" category in data/matters.csv.
CATEGORY_LETTERS: dict[str, MatterCategory] = {
    "L": MatterCategory.LICENSING,
    "P": MatterCategory.PAYMENT,
    "C": MatterCategory.CONFIRMATION,
    "R": MatterCategory.REWARD,
    "J": MatterCategory.RULING,
    "O": MatterCategory.OTHER_POWER,
    "S": MatterCategory.PUBLIC_SERVICE,
}


@dataclass(frozen=True)
class DepartmentSpec:
    key: str
    name: str  # generic name, e.g. 市场监督管理局
    short_name: str
    kind_code: str  # first two USCC characters (codes.GOVERNMENT_ORGAN …)
    city_template: str
    district_template: str

    def city_name(self) -> str:
        template = self.city_template or "{c}" + self.name
        return template.format(c=CITY_NAME)

    def district_name(self, district: DistrictSpec) -> str | None:
        if not self.district_template:
            return None
        return self.district_template.format(c=CITY_NAME, d=district.name, ds=district.short)


@dataclass(frozen=True)
class MatterSpec:
    dept: str
    category: MatterCategory
    name: str
    promised_days: int
    legal_days: int | None
    online: bool


@dataclass(frozen=True)
class DistrictSpec:
    code6: str
    name: str
    short: str
    townships: tuple[str, ...]

    @property
    def code(self) -> str:
        return self.code6.ljust(12, "0")


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _lines(name: str) -> list[str]:
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


@cache
def departments() -> tuple[DepartmentSpec, ...]:
    return tuple(DepartmentSpec(r["key"], r["name"], r["short_name"], r["kind_code"],
                                r["city_template"], r["district_template"])
                 for r in _rows("departments.csv"))


@cache
def matters() -> tuple[MatterSpec, ...]:
    known = {d.key for d in departments()}
    specs = []
    for r in _rows("matters.csv"):
        if r["dept"] not in known:
            raise ValueError(f"matters.csv: unknown department {r['dept']!r}")
        specs.append(MatterSpec(
            dept=r["dept"], category=CATEGORY_LETTERS[r["category"]], name=r["name"],
            promised_days=int(r["promised_days"]),
            legal_days=int(r["legal_days"]) if r["legal_days"] else None,
            online=r["online"] == "1"))
    return tuple(specs)


@cache
def districts() -> tuple[DistrictSpec, ...]:
    return tuple(DistrictSpec(r["code"], r["name"], r["short"],
                              tuple(r["townships"].split("|")))
                 for r in _rows("districts.csv"))


@cache
def word_list(name: str) -> tuple[str, ...]:
    """``surnames.txt``, ``given_names.txt``, ``place_words.txt`` or ``villages.txt``."""
    return tuple(_lines(name))
