"""Rebuild the statistics rollups from raw rows (all days, or a range of days)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from haochaping.stats import rollup, services


def _month(text: str) -> tuple[int, int]:
    try:
        first = date.fromisoformat(f"{text}-01")
    except ValueError:
        raise CommandError("--month 应为 YYYY-MM") from None
    return first.year, first.month


class Command(BaseCommand):
    help = ("Rebuild statistics rollups from raw rows (one INSERT … SELECT … GROUP BY per "
            "table, or per batch of days with --batch-days).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--first", type=date.fromisoformat, help="first day (YYYY-MM-DD)")
        parser.add_argument("--last", type=date.fromisoformat, help="last day (YYYY-MM-DD)")
        parser.add_argument("--batch-days", type=int, default=None)
        parser.add_argument("--month", type=_month, default=None,
                            help="rebuild one month (YYYY-MM), as the per-month task does")
        parser.add_argument("--tasks", action="store_true",
                            help="queue one task per month for the workers to share instead "
                                 "of rebuilding in this process")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["tasks"]:
            from haochaping.core.engine import enqueue
            from haochaping.stats.tasks import rebuild_months

            queued = enqueue(rebuild_months, key="stats.rebuild_months")
            self.stdout.write("已排队：按月重建统计汇总，由后台任务并行执行" if queued else
                              "按月重建已在排队中")
            return
        if options["month"] is not None:
            year, month = options["month"]
            days = services.rebuild_month(year, month)
            self.stdout.write(f"已重建 {year}-{month:02d} 共 {days} 天的统计汇总")
            return
        now = timezone.now()
        span = rollup.raw_day_span()
        first = options["first"] or (span[0] if span else None)
        last = options["last"] or (span[1] if span else None)
        if first is None or last is None:
            self.stdout.write("没有可汇总的数据")
            return
        if first > last:
            raise CommandError("--first 不能晚于 --last")
        whole = options["first"] is None and options["last"] is None
        if whole and options["batch_days"] is None:
            days = services.rebuild_all()
        else:
            days = services.rebuild(first, last, batch_days=options["batch_days"])
        if whole:
            # A full rebuild is as good as an incremental run up to its start.
            rollup.RollupState.objects.update_or_create(
                name=rollup.STATE, defaults={"watermark": now, "last_run_at": now})
        self.stdout.write(f"已重建 {first} 至 {last} 共 {days} 天的统计汇总")
