"""``manage.py demo_info --port 8000``: what ``make run`` prints before starting the server."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from haochaping.demo.appraisal_info import appraisal_lines
from haochaping.demo.assessment import assessment_lines
from haochaping.demo.channels import channel_lines
from haochaping.demo.citizen import citizen_lines
from haochaping.demo.complaint_info import complaint_lines
from haochaping.demo.devices import device_lines
from haochaping.demo.logins import DEMO_PASSWORD, LOGINS
from haochaping.demo.problems_info import problem_lines
from haochaping.demo.stats_info import stats_lines
from haochaping.demo.supervision_info import supervision_lines
from haochaping.demo.workorder_info import workorder_lines


class Command(BaseCommand):
    help = "打印演示地址与演示账号"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args: Any, **options: Any) -> None:
        base = f"http://{options['host']}:{options['port']}"
        width = max(len(login.username) for login in LOGINS)
        lines = [
            "",
            "政务服务“好差评”演示",
            "=" * 60,
            f"  首页（公众首页；登录后为工作台）  {base}/",
            f"  站内通知              {base}/work/inbox/"
            "  （各角色登录后首页即其待办，顶栏“通知”显示未读数）",
            f"  工作人员登录          {base}/accounts/login/",
            f"  管理后台              {base}/admin/",
            f"  后台任务              {base}/admin/django_tasks_database/dbtaskresult/"
            "  （admin 登录：队列、重试、死信重新排队）",
            f"  接口文档              {base}/api/v1/docs",
            "",
            f"演示账号（密码均为）：{DEMO_PASSWORD}",
            "-" * 60,
        ]
        for login in LOGINS:
            lines.append(f"  {login.username:<{width}}  {DEMO_PASSWORD}  {login.role.label}"
                         f" · {login.where_zh}")
        lines += ["  演示环境只需用户名和密码登录；生产环境中管理机构和系统管理员",
                  "  须另用动态口令（两步验证），密码定期更换、长期不用的账号自动停用",
                  "  （见 docs/security.md）。"]
        lines += channel_lines(base)
        lines += device_lines(base)
        lines += workorder_lines(base)
        lines += citizen_lines(base)
        lines += complaint_lines(base)
        lines += stats_lines(base)
        lines += supervision_lines(base)
        lines += problem_lines(base)
        lines += appraisal_lines(base)
        lines += assessment_lines(base)
        lines += [f"  防刷评核查            {base}/work/integrity/  （supervisor：待核查评价）"]
        lines += ["-" * 60,
                  f"  个人信息清单          {base}/work/privacy/",
                  "    （security、audit_admin 或管理机构登录：用途、查看角色、保存期限、"
                  "已清除的评价人）",
                  f"  隐私告知              {base}/yinsi/"
                  "  （每个评价页面底部链接，评价记录其版本）"]
        lines += ["-" * 60, "仅供演示，切勿用于生产环境。", ""]
        self.stdout.write("\n".join(lines))
