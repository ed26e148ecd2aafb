"""Recompute the SHA-256 of archived monthly reports: equal to the archived hashes means
the files are unaltered since they were published (stats.reports)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haochaping.stats.models import MonthlyReport
from haochaping.stats.reports import monthly_report_verify


class Command(BaseCommand):
    help = "Verify archived monthly reports against their SHA-256 (all, or one month/id)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", help="month YYYY-MM")
        parser.add_argument("--id", type=int, help="report id")

    def handle(self, *args: Any, **options: Any) -> None:
        qs = MonthlyReport.objects.select_related("scope_org").order_by("period", "pk")
        if options["period"]:
            try:
                year, month = (int(p) for p in options["period"].split("-"))
                qs = qs.filter(period__year=year, period__month=month)
            except ValueError as exc:
                raise CommandError("--period 须为 YYYY-MM") from exc
        if options["id"]:
            qs = qs.filter(pk=options["id"])
        failed = 0
        for report in qs:
            check = monthly_report_verify(report)
            scope = report.scope_org.name if report.scope_org else "全部"
            state = "一致" if check.ok else "不一致"
            self.stdout.write(f"#{report.pk} {report.period:%Y-%m} {scope}: {state}")
            for kind, archived, actual in (
                    ("xlsx", report.xlsx_sha256, check.xlsx_sha256),
                    ("html", report.html_sha256, check.html_sha256)):
                self.stdout.write(f"  {kind} 归档 {archived}")
                if actual != archived:
                    self.stdout.write(f"  {kind} 现值 {actual or '文件缺失'}")
            failed += not check.ok
        if failed:
            raise CommandError(f"{failed} 份报告与归档摘要不一致")
        self.stdout.write(f"已核验 {qs.count()} 份报告，全部一致")
