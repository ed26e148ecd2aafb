"""``haochaping calendar check``: is the working-day calendar known for the years ahead?

Deadlines count working days on the official calendar (catalog.rules.calendar). A year
that the ``chinese_calendar`` package does not cover and for which the office entered no
``CalendarOverride`` falls back to Monday–Friday, which misses holidays and make-up
working days. Run this from cron or CI; it exits non-zero while such a year is needed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from haochaping.catalog.rules import calendar
from haochaping.catalog.selectors.policy import calendar_overrides

EXIT_UNCOVERED = 2


class Command(BaseCommand):
    help = ("Check working-day calendar coverage (工作日历覆盖检查) for this year, next year "
            "and any --year; exits 2 when a year has neither package data nor overrides.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, action="append", default=[],
                            help="also check this year (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        this_year = timezone.localdate().year
        years = sorted({this_year, this_year + 1, *options["year"]})
        overrides = calendar_overrides(years)
        missing = set(calendar.uncovered_years(years, overrides))
        self.stdout.write(f"chinese_calendar {calendar.package_version()}")
        for year in years:
            count = sum(1 for day in overrides if day.year == year)
            if year in missing:
                line = (f"{year}: 未覆盖 NOT COVERED — weekends-only fallback "
                        "(按周一至周五计算)")
                self.stdout.write(self.style.ERROR(line))
            elif year in calendar.covered_years():
                self.stdout.write(self.style.SUCCESS(
                    f"{year}: 已覆盖 covered (package; {count} 条调整 overrides)"))
            else:
                self.stdout.write(self.style.WARNING(
                    f"{year}: 已覆盖 covered by office overrides only ({count} 条调整)"))
        if missing:
            listed = ", ".join(str(y) for y in sorted(missing))
            raise CommandError(
                f"警告：{listed} 年缺少法定节假日数据，截止时间将按周末计算，可能有误。"
                "请升级 chinese_calendar 或在管理后台“工作日历调整”中录入节假日与调休。\n"
                f"WARNING: no holiday data for {listed}; deadlines fall back to weekends "
                "only. Upgrade chinese_calendar or enter the days in the admin "
                "(工作日历调整).",
                returncode=EXIT_UNCOVERED,
            )
