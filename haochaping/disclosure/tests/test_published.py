"""The public rankings and rectification figures are the snapshots published once a period
ended: shown with their publication time and SHA-256, downloadable, and never rewritten by
a later weight change or upheld appeal."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.test import Client
from openpyxl import load_workbook

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.disclosure.tests.conftest import (
    PUBLISHED_AT,
    RATED_AT,
    RATER_ID,
    RATER_NAME,
    RATER_PHONE,
)
from haochaping.evaluations.services import evaluation_invalidate
from haochaping.stats import ranking, rollup, snapshots
from haochaping.stats.models import RankingSnapshot
from haochaping.stats.rules import Period

SEPTEMBER = "period=month&at=2026-09"
RANKING = f"/gongshi/paiming/?{SEPTEMBER}"
RECTIFICATION = f"/gongshi/zhenggai/?{SEPTEMBER}"


def _page(client: Client, url: str) -> str:
    cache.clear()  # as after the page cache's 10 minutes
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _table(html: str) -> str:
    return html[html.index("<table"):html.index("</table>")]


def test_the_ranking_page_names_its_publication_and_hash(published: SimpleNamespace,
                                                         client: Client) -> None:
    html = _page(client, RANKING)
    row = RankingSnapshot.objects.get(period="month", start=date(2026, 9, 1))
    assert row.sha256 in html
    assert "2026年10月1日 02:00" in html
    assert "公示后不再改动" in html
    snapshot = client.get(f"/gongshi/xiazai/kuaizhao.json?{SEPTEMBER}")
    assert snapshot.status_code == 200
    assert snapshot["Content-Type"] == "application/json"
    assert hashlib.sha256(snapshot.content).hexdigest() == row.sha256


def test_without_a_period_the_latest_published_one_is_shown(published: SimpleNamespace,
                                                            client: Client) -> None:
    """October has ended but was not published in this fixture: September is shown."""
    assert "2026年9月部门综合排名" in _page(client, "/gongshi/paiming/")
    assert "2026年第3季度部门综合排名" in _page(client, "/gongshi/paiming/?period=quarter")


def test_a_weight_change_does_not_rewrite_a_published_ranking(published: SimpleNamespace,
                                                              client: Client) -> None:
    before = _page(client, RANKING)
    ranking.ranking_weights_set(actor=actor_for_user(published.people.admin),
                                satisfaction=10, participation=10, on_time_rectification=10,
                                bad_review=70, min_sample=5, bottom_count=1,
                                bottom_periods=2, now=PUBLISHED_AT + timedelta(days=3))
    after = _page(client, RANKING)
    assert after == before
    assert "满意率 × 50%" in after  # the weights in force when it was published
    assert "<td>样本不足</td>" not in after  # ranked with that day's minimum sample of 1


def test_an_appeal_upheld_after_publication_does_not_change_the_published_page(
        published: SimpleNamespace, client: Client) -> None:
    """An upheld appeal invalidates the rating (workorders' APPEAL_UPHOLD step calls
    evaluation_invalidate); the roll-ups and the live ranking drop it, the page does not."""
    ranking_before = _page(client, RANKING)
    rectification_before = _page(client, RECTIFICATION)
    evaluation = published.order.evaluation
    evaluation_invalidate(actor=actor_for_user(published.people.supervisor),
                          evaluation=evaluation, reason="申诉成立：恶意差评",
                          now=PUBLISHED_AT + timedelta(days=5))
    rollup.rollup_tick(PUBLISHED_AT + timedelta(days=5, minutes=1))
    live = ranking.ranking(snapshots.PUBLIC, level=snapshots.PUBLIC_LEVEL,
                           period=Period.MONTH, day=RATED_AT.date())
    assert sum(r.counts.real_ratings for r in live) == 0
    assert _page(client, RANKING) == ranking_before
    assert _page(client, RECTIFICATION) == rectification_before
    assert published.loc.market.name in _table(ranking_before)


def test_an_unpublished_period_is_not_shown_and_not_cached(published: SimpleNamespace,
                                                           client: Client) -> None:
    cache.clear()
    url = "/gongshi/paiming/?period=month&at=2026-06"
    response = client.get(url)
    assert response.status_code == 404
    assert "2026年6月的评价结果尚未公示" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    snapshots.ranking_snapshot_publish(period=Period.MONTH, start=date(2026, 6, 1),
                                       now=PUBLISHED_AT)
    assert client.get(url).status_code == 200  # the refusal was not cached


def test_the_rectification_table_of_the_period(published: SimpleNamespace,
                                               client: Client) -> None:
    html = _page(client, RECTIFICATION)
    assert "2026年9月差评整改情况" in html
    table = _table(html)
    assert "<caption>" in table
    assert '<th scope="col">整改率</th>' in table
    assert '<th scope="col">回访率</th>' in table
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", table)
    # one bad review, one order due, closed: 整改率 100 %
    assert cells[:4] == ["1", "1", "1", "100.0%"]
    assert f'<th scope="row">{published.loc.market.name}</th>' in table


@pytest.mark.parametrize("table", ["paiming", "zhenggai"])
def test_published_tables_download_as_csv_and_xlsx(published: SimpleNamespace,
                                                   client: Client, table: str) -> None:
    cache.clear()
    audit_rows = AuditEvent.objects.count()
    response = client.get(f"/gongshi/xiazai/{table}.csv?{SEPTEMBER}")
    assert response.status_code == 200
    assert f'filename="{table}-2026-09.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert published.loc.market.code in rows[1]
    xlsx = client.get(f"/gongshi/xiazai/{table}.xlsx?{SEPTEMBER}")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert [list(r) for r in sheet.iter_rows(values_only=True)][0] == rows[0]
    text = response.content.decode("utf-8-sig")
    for secret in (RATER_NAME, RATER_PHONE, RATER_ID, published.staff):
        assert secret not in text
    assert AuditEvent.objects.count() == audit_rows  # public data, nobody logged in


@pytest.mark.parametrize("url", [RECTIFICATION, f"/gongshi/xiazai/kuaizhao.json?{SEPTEMBER}"])
def test_no_personal_data_in_the_published_figures(published: SimpleNamespace,
                                                   client: Client, url: str) -> None:
    html = _page(client, url)
    for secret in (RATER_NAME, RATER_PHONE, RATER_ID, published.staff):
        assert secret not in html


def test_the_index_lists_the_published_periods(published: SimpleNamespace,
                                               client: Client) -> None:
    html = _page(client, "/gongshi/")
    assert "2026年9月部门综合排名" in html
    assert "2026年第3季度部门综合排名" in html
    assert "/gongshi/zhenggai/?period=month&amp;at=2026-09" in html
    assert "2026年10月部门综合排名" not in html  # (published on 1 October: a date, not a period)
