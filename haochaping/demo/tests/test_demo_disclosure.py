"""The demo's public column shows the rankings the worker's job published: last month's
and last quarter's, with their hash, and the rectification table beside them."""

from __future__ import annotations

import re
from io import StringIO

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from haochaping.disclosure import rules
from haochaping.stats.models import RankingSnapshot


def test_the_demo_publishes_last_month_and_last_quarter(built: str, client: Client) -> None:
    assert "公示排名" in built
    today = timezone.localdate()
    for period in rules.PERIODS:
        start = rules.previous_period_start(today, period)
        snapshot = RankingSnapshot.objects.get(period=period, start=start)
        query = f"period={period}&at={rules.period_value(period, start)}"
        html = client.get(f"/gongshi/paiming/?{query}").content.decode()
        assert snapshot.sha256 in html
        assert re.search(r"<td>1</td>\s*<th scope=\"row\">", html)  # a ranked department
        assert client.get(f"/gongshi/zhenggai/?{query}").status_code == 200
    out = StringIO()
    call_command("demo_info", port=8000, stdout=out)
    assert "/gongshi/paiming/?period=month&at=" in out.getvalue()
