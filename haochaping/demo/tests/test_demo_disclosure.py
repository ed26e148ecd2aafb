"""The demo's public column shows the rankings the worker's job published: last month's
and last quarter's, with their hash, and the rectification table beside them; its export
approvals wait under 导出审批 and download from 我的导出申请."""

from __future__ import annotations

import re
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from haochaping.disclosure import rules
from haochaping.stats.models import ExportApproval, RankingSnapshot
from haochaping.stats.rules import local_day
from haochaping.stats.snapshots import GRACE
from tests.factories import logged_in


def test_the_demo_publishes_last_month_and_last_quarter(built: str, client: Client) -> None:
    assert "公示排名" in built
    # a period is published an hour after it ends (late ratings): in a month's first hour
    # the latest is the one before
    today = local_day(timezone.now() - GRACE)
    for period in rules.PERIODS:
        start = rules.previous_period_start(today, period)
        snapshot = RankingSnapshot.objects.get(period=period, start=start)
        query = f"period={period}&at={rules.period_value(period, start)}"
        html = client.get(f"/gongshi/paiming/?{query}").content.decode()
        assert snapshot.sha256 in html
        assert re.search(r"<td[^>]*>1</td>\s*<th scope=\"row\">", html)  # a ranked department
        assert client.get(f"/gongshi/zhenggai/?{query}").status_code == 200
    out = StringIO()
    call_command("demo_info", port=8000, stdout=out)
    assert "/gongshi/paiming/?period=month&at=" in out.getvalue()


def test_the_demo_has_a_pending_and_an_approved_export_request(built: str) -> None:
    pending = ExportApproval.objects.get(status="pending")
    approved = ExportApproval.objects.get(status="approved")
    asker = get_user_model().objects.get(username="handler")
    assert pending.requester_key == approved.requester_key == f"user:{asker.pk}"
    office = logged_in(get_user_model().objects.get(username="supervisor"))
    assert f'data-request="{pending.pk}"' in office.get(
        "/work/stats/exports/approvals/").content.decode()
    handler = logged_in(asker)
    mine = handler.get("/work/stats/exports/requests/").content.decode()
    assert 'data-testid="download"' in mine
    download = handler.get(f"{approved.path}&approval={approved.pk}")
    assert download.status_code == 200  # filed for exactly the screen's export
    out = StringIO()
    call_command("demo_info", port=8000, stdout=out)
    assert "/work/stats/exports/approvals/" in out.getvalue()
    assert "/work/stats/exports/requests/" in out.getvalue()
