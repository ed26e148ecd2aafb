"""Export approval in the demo (issue 17, stats.approvals): the city market regulator's
handler (login ``handler``) asked twice to export last month's bad reviews with the
raters' masked names; the city office (``supervisor``) approved one, the other waits
under 导出审批. Filed for exactly the screen export the drill-down page links, so the
approved one downloads from 我的导出申请 (once, within the validity)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import reverse

from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.rules import calendar
from haochaping.stats import approvals
from haochaping.stats.views.common import parse_filters
from haochaping.stats.views.exports import drill_query

REQUESTS = (  # figure, purpose, decision note (None: pending)
    ("bad_reviews", "核查上月差评整改落实情况，逐条回访评价人",
     "同意，仅限本部门整改分析使用，勿外传"),
    ("real_ratings", "编制本部门月度服务质量分析报告", None),
)


def build_export_requests(*, users: dict[str, Any], now: datetime) -> str:
    asker, office = actor_for_user(users["handler"]), actor_for_user(users["supervisor"])
    first = calendar.local_day(now).replace(day=1)
    start, end = (first - timedelta(days=1)).replace(day=1), first - timedelta(days=1)
    for n, (figure, purpose, note) in enumerate(REQUESTS):
        params = {"figure": figure, "start": start.isoformat(), "end": end.isoformat()}
        filters = parse_filters(asker, QueryDict(urlencode(params)))
        row = approvals.export_request(
            actor=asker, kind="drilldown", query=drill_query(filters, figure, {}),
            purpose=purpose, path=f"{reverse('stats:drill_export', args=['xlsx'])}?"
                                  f"{urlencode(params)}", now=now - timedelta(hours=3 - n))
        if note is not None:
            approvals.export_decide(actor=office, approval=row, approve=True, note=note,
                                    now=now - timedelta(hours=1))
    return "导出申请：1 件已批准（handler 可下载一次）、1 件待审批"
