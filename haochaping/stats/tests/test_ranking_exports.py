"""Rankings with their bottom flags as XLSX and CSV (/api/v1/stats/ranking/rankings.*):
scoped like the ranking, audited like every statistics export."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from openpyxl import load_workbook

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.catalog.rules.calendar import SHANGHAI
from haochaping.core.sheets import without_banner
from haochaping.stats import downloads, ranking
from haochaping.stats.exports import CONTENT_TYPES
from haochaping.stats.tests.test_ranking import months  # noqa: F401  (fixture)
from tests.factories import logged_in

pytestmark = pytest.mark.django_db
URL = "/api/v1/stats/ranking"
QUERY = {"level": "window", "period": "month", "day": "2026-09-30"}


@pytest.fixture
def weighted(months: SimpleNamespace, personas: SimpleNamespace) -> SimpleNamespace:  # noqa: F811
    ranking.ranking_weights_set(
        actor=actor_for_user(personas.admin), satisfaction=50, participation=20,
        on_time_rectification=20, bad_review=10, min_sample=2, bottom_count=1,
        bottom_periods=3, now=datetime(2026, 10, 8, tzinfo=SHANGHAI))
    return months


def _csv(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_the_csv_lists_the_ranking_with_the_flag_beside_each_row(
        weighted: SimpleNamespace, personas: SimpleNamespace) -> None:
    response = logged_in(personas.supervisor).get(f"{URL}/rankings.csv", QUERY)
    assert response.status_code == 200
    assert 'filename="ranking-window-month-2026-09-01-' in response["Content-Disposition"]
    header, *rows = _csv(response)
    assert header[:3] == ["名次", "编码", "窗口"]
    assert header[-2:] == ["长期靠后（连续周期数）", "各期名次（由远及近）"]
    assert [r[0] for r in rows] == ["1", "2", "3"]
    worst = rows[-1]
    assert worst[1] == weighted.w3.code
    assert worst[-4:] == ["", "是", "3", "3、3、3"]
    assert rows[0][-2:] == ["", ""]


def test_the_xlsx_holds_the_same_rows_and_the_download_is_audited(
        weighted: SimpleNamespace, personas: SimpleNamespace) -> None:
    before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    response = logged_in(personas.supervisor).get(f"{URL}/rankings.xlsx",
                                                  {**QUERY, "level": "org"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet is not None
    read = [list(r) for r in sheet.iter_rows(values_only=True)]
    values = [tuple(r) for r in without_banner(read)]
    assert read[0][0] == "综合排名"  # the title row, then period, scope and time generated
    assert "统计期：" in read[1][0]
    assert "生成时间：" in read[1][0]
    assert sheet.freeze_panes == "A4"
    assert values[1][2] == weighted.loc.market.name
    assert values[2][-2:] == (3, "2、2、2")  # the district HR bureau, last three months
    [event] = AuditEvent.objects.filter(seq__gt=before, action=downloads.EXPORT)
    assert event.actor_id == personas.supervisor.pk
    assert event.object_type == "stats.ranking"
    assert event.after == {"kind": "ranking", "format": "xlsx", "rows": 3, "level": "org",
                           "period": "month", "start": "2026-09-01", "flags": 1}


def test_the_export_is_scoped_like_the_ranking(weighted: SimpleNamespace,
                                               personas: SimpleNamespace) -> None:
    """The handler's subtree is the market bureau: its two windows only."""
    header, *rows = _csv(logged_in(personas.handler).get(f"{URL}/rankings.csv", QUERY))
    assert sorted(r[1] for r in rows) == sorted([weighted.loc.window.code, weighted.w2.code])


def test_window_staff_get_no_file(weighted: SimpleNamespace,
                                  personas: SimpleNamespace) -> None:
    response = logged_in(personas.window_staff).get(f"{URL}/rankings.csv", QUERY)
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=downloads.EXPORT).exists()


def test_the_ranking_screen_links_both_files_and_flags_departments(
        weighted: SimpleNamespace, personas: SimpleNamespace) -> None:
    client = logged_in(personas.supervisor)
    html = client.get("/work/stats/ranking/", {**QUERY, "level": "org"}).content.decode()
    links = re.findall(r'<a href="([^"]+)" data-testid="ranking-export-(xlsx|csv)">', html)
    assert [fmt for _, fmt in links] == ["xlsx", "csv"]
    for href, fmt in links:
        response = client.get(href.replace("&amp;", "&"))
        assert response.status_code == 200
        assert response["Content-Type"].startswith(CONTENT_TYPES[fmt])
    flags = html[html.index('data-testid="bottom-flags"'):]
    assert weighted.loc.district_hr.name in flags.split("</section>")[0]


def test_the_screen_ranks_industries_and_opens_their_ratings(
        weighted: SimpleNamespace, personas: SimpleNamespace) -> None:
    client = logged_in(personas.supervisor)
    html = client.get("/work/stats/ranking/",
                      {**QUERY, "level": "matter_category"}).content.decode()
    assert "综合排名（行业（事项类型））" in html
    [(href, shown)] = re.findall(r'<a href="([^"]+)" data-testid="ranking-drill">(\d+)</a>',
                                 html)
    assert shown == "26"
    drill = client.get(href.replace("&amp;", "&")).content.decode()
    assert 'data-testid="drill-total">26<' in drill
