"""Build (or find) the archived monthly report of one month, as the worker job does; for a
first deployment's back-fill. An existing report is never rebuilt."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from haochaping.catalog.models import Org
from haochaping.stats import rules
from haochaping.stats.reports import monthly_report_generate


class Command(BaseCommand):
    help = "Generate the monthly report of --period YYYY-MM (whole deployment or --org CODE)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="month YYYY-MM")
        parser.add_argument("--org", help="supervising office code (default: deployment)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = date.fromisoformat(f"{options['period']}-01")
        except ValueError as exc:
            raise CommandError("--period 须为 YYYY-MM") from exc
        now = timezone.now()
        if period >= rules.local_day(now).replace(day=1):
            raise CommandError("只能生成已结束月份的报告")
        org = None
        if options["org"]:
            org = Org.objects.filter(code=options["org"], kind="supervising").first()
            if org is None:
                raise CommandError("未找到该政务服务管理机构")
        report, created = monthly_report_generate(period=period, scope_org=org, now=now,
                                                  generated_by="console")
        state = "已生成" if created else "已存在（不重新生成）"
        self.stdout.write(f"#{report.pk} {period:%Y-%m} {state}")
        self.stdout.write(f"  xlsx {report.xlsx_sha256}")
        self.stdout.write(f"  html {report.html_sha256}")
