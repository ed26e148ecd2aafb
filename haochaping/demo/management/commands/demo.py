"""``manage.py demo`` / ``haochaping demo``: build the demo locality."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from haochaping.demo.builder import DEFAULT_SEED, build_demo, demo_exists
from haochaping.demo.sizes import SIZES

# Measured (docs/performance.md, "Demo build"): wall time on the 2-core development machine.
SIZE_HELP = ("small（默认，5,000 件办件，SQLite 上 CPU 约 80 秒；多人共用、负载很高的 2 核机器上"
             "实测 5 分钟）| medium（10 万件，推荐 PostgreSQL：Python CPU 约 4 分钟，同一机器上"
             "实测 32 分钟）"
             "| large（100 万件、省级规模的目录，须 PostgreSQL；耗时见 docs/performance.md）")

# The build's counts as the summary line names them (a new count falls back to its key).
COUNT_LABELS = {
    "regions": "区划", "orgs": "机构", "halls": "大厅", "windows": "窗口", "staff": "工作人员",
    "matters": "事项", "users": "账号", "handlings": "办件", "raters": "评价人",
    "evaluations": "评价", "api_clients": "接口客户端", "devices": "评价设备",
    "third_party_devices": "第三方评价设备", "legacy_ratings": "历史满意度评价",
    "work_orders": "差评工单", "handler_logins": "经办人账号", "stages": "办件环节",
    "stage_ratings": "环节评价", "reconcile_checks": "对账核对项",
    "reconcile_differences": "对账差异", "inbound_ratings": "上级平台评价",
    "parked_ratings": "待匹配评价", "forwarded_items": "上级转办诉求", "complaints": "诉求件",
    "complaints_accepted": "诉求件已受理", "complaints_answered": "诉求件已答复",
    "complaints_closed": "诉求件已办结", "complaints_dispatched": "诉求件已交办",
    "complaints_merged": "诉求件已合并", "complaints_refused": "诉求件不予受理",
    "complaints_reopened": "诉求件重新办理", "complaints_triage": "诉求件待分拣",
    "purged_raters": "已清除的评价人", "spot_check_items": "核查抽查项",
    "rater_dissents": "评价人不满意整改", "inbox_items": "站内通知",
    "complaint_causes": "已分类诉求件", "complaint_cause_clusters": "集中问题诉求件",
    "problem_tasks": "共性问题", "problem_recurrences": "共性问题复发",
    "integrity_flags": "防刷评信号", "integrity_pending": "待核查疑似刷评",
    "self_assessments": "单位自评", "assessment_visits": "第三方评估走访",
    "appraisal_reviews": "已发布考核", "appraisal_plans": "限期整改计划",
}


class Command(BaseCommand):
    help = "构建演示数据（郑州市：区县、乡镇、村社区、机构、大厅、窗口、人员、事项、账号）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=sorted(SIZES), default="small",
                            help=SIZE_HELP)
        parser.add_argument("--if-empty", action="store_true",
                            help="已有机构数据时什么也不做（make run 可重复执行）")
        parser.add_argument("--handlings", type=int, default=None,
                            help="办件数量（默认随规模：小 5,000 / 中 100,000 / 大 1,000,000）")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help="随机种子：同一种子生成完全相同的数据")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.HCP_ENV == "production":
            # The demo logins share a published password.
            raise CommandError("生产环境（HCP_ENV=production）不能构建演示数据。")
        if demo_exists():
            if options["if_empty"]:
                self.stdout.write("已有机构数据，跳过演示数据构建。")
                return
            raise CommandError("数据库中已有机构数据：演示数据只能建在空库上"
                               "（使用 --if-empty 跳过）。")
        size = SIZES[options["size"]]
        self.stdout.write(f"构建演示数据（规模：{size.label}，"
                          f"种子 {options['seed']}）…")
        if options["handlings"] is not None and options["handlings"] < 0:
            raise CommandError("--handlings 不能为负数")
        result = build_demo(size, seed=options["seed"], handlings=options["handlings"],
                            log=self.stdout.write)
        summary = "，".join(f"{COUNT_LABELS.get(k, k)} {v}" for k, v in result.counts.items())
        self.stdout.write(self.style.SUCCESS(f"演示数据已生成：{summary}"))
