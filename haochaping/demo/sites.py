"""Halls, numbered windows and the staff who serve at them (bulk inserts)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from haochaping.catalog.models import Hall, Org, Region, Staff, Window
from haochaping.demo import data
from haochaping.demo.geo import BATCH, Locality
from haochaping.demo.names import NameMaker
from haochaping.demo.sizes import DemoSize

# Departments with the heaviest counter traffic get a second window in the big halls.
BUSY_DEPARTMENTS = ("market", "hrss", "police", "realestate", "hpf", "tax", "medins")
TOWNSHIP_WINDOWS = ("综合受理窗口", "社保医保窗口", "民政残联窗口")
STREETS = ("金水东路", "农业路", "花园路", "中原路", "建设路", "嵩山路", "商都路", "郑汴路",
           "航海路", "陇海路", "文化路", "经三路", "平安大道", "黄河路", "紫荆山路")


@dataclass
class Sites:
    halls: list[Hall]
    windows: list[Window]
    staff: list[Staff]
    city_hall: Hall

    def first_staff_of(self, org: Org) -> Staff:
        return next(s for s in self.staff if s.org_id == org.pk and s.window_id is not None)


class _Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.halls: list[Hall] = []
        self.hall_windows: list[tuple[Hall, list[tuple[str, Org, int, str]]]] = []

    def address(self, place: str) -> str:
        return f"{data.CITY_NAME}{place}{self.rng.choice(STREETS)}{self.rng.randint(1, 299)}号"

    def phone(self) -> str:
        return f"0371-{self.rng.randint(55_000_000, 69_999_999)}"

    def hall(self, name: str, org: Org, region: Region, level: str, place: str,
             windows: list[tuple[str, Org, int, str]]) -> None:
        hall = Hall(code=f"H{region.code}01", name=name, org=org, region=region, level=level,
                    address=self.address(place), phone=self.phone())
        self.halls.append(hall)
        self.hall_windows.append((hall, windows))

    def department_windows(self, office: Org, departments: dict[str, Org],
                           per_window: int) -> list[tuple[str, Org, int, str]]:
        rows = [("综合受理窗口", office, per_window, "综合受理员"),
                ("综合出件窗口", office, 1, "出件专员")]
        for key, org in departments.items():
            rows.append((f"{org.short_name}业务窗口", org, per_window, "首席代表"))
            if key in BUSY_DEPARTMENTS:
                rows.append((f"{org.short_name}综合窗口", org, per_window, "窗口受理员"))
        return rows


def build_sites(locality: Locality, size: DemoSize, names: NameMaker,
                rng: random.Random) -> Sites:
    b = _Builder(rng)
    b.hall(f"{data.CITY_NAME}民服务中心", locality.office, locality.city, "city", "",
           b.department_windows(locality.office, locality.departments, size.staff_per_window))
    for district in locality.districts:
        b.hall(f"{district.spec.name}政务服务中心", district.office, district.region, "county",
               district.spec.name,
               b.department_windows(district.office, district.departments,
                                    size.staff_per_window))
        for township in district.townships:
            place = district.spec.name + township.region.name
            b.hall(f"{township.region.name}便民服务中心", township.org, township.region,
                   "township", place,
                   [(name, township.org, 1, "便民服务专员") for name in TOWNSHIP_WINDOWS])
            for village in township.villages:
                b.hall(f"{village.region.name}便民服务站", village.org, village.region,
                       "village", place + village.region.name,
                       [("代办服务窗口", village.org, 1, "代办员")])
    Hall.objects.bulk_create(b.halls, batch_size=BATCH)

    windows: list[Window] = []
    planned: list[tuple[Window, int, str]] = []
    for hall, rows in b.hall_windows:
        for number, (name, org, people, title) in enumerate(rows, start=1):
            window = Window(code=f"{hall.code}{number:03d}", number=str(number), name=name,
                            hall=hall, org=org)
            windows.append(window)
            planned.append((window, people, title))
    Window.objects.bulk_create(windows, batch_size=BATCH)

    staff: list[Staff] = []
    for window, people, title in planned:
        for i in range(people):
            staff.append(Staff(
                staff_no=f"{window.hall.region.code[:6]}{len(staff) + 1:06d}",
                name=names.person(), org=window.org, window=window,
                title=title if i == 0 else "窗口受理员"))
    Staff.objects.bulk_create(staff, batch_size=BATCH)
    return Sites(halls=b.halls, windows=windows, staff=staff, city_hall=b.halls[0])
