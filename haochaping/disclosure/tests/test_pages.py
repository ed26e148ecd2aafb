"""公示专栏: public, cached, rate-limited, and free of personal data."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from haochaping.disclosure.tests.conftest import RATER_ID, RATER_NAME, RATER_PHONE

PAGES = ["/gongshi/", "/gongshi/paiming/?period=month&at=2026-09",
         "/gongshi/paiming/?period=quarter&at=2026-Q3", "/gongshi/anli/", "/gongshi/koujing/"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_render_without_login(published: SimpleNamespace, client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "public" in response["Cache-Control"]
    assert "max-age=600" in response["Cache-Control"]


def test_ranking_lists_the_department_with_its_figures(published: SimpleNamespace,
                                                       client: Client) -> None:
    html = client.get("/gongshi/paiming/?period=month&at=2026-09").content.decode()
    assert "2026年9月部门综合排名" in html
    assert published.loc.market.name in html
    # one bad review: satisfaction 0 %, bad-review rate 100 %, order closed on time
    assert "0.0%" in html
    assert "100.0%" in html
    assert "<caption>" in html
    assert '<th scope="col">名次</th>' in html


@pytest.mark.parametrize("url", ["/gongshi/anli/", "/gongshi/paiming/?at=2026-09",
                                 "/gongshi/koujing/", "/gongshi/"])
def test_no_personal_data_on_any_page(published: SimpleNamespace, client: Client,
                                      url: str) -> None:
    html = client.get(url).content.decode()
    for secret in (RATER_NAME, RATER_PHONE, RATER_ID, published.staff):
        assert secret not in html


def test_typical_case_shows_matter_problem_measures_and_reply(published: SimpleNamespace,
                                                              client: Client) -> None:
    html = client.get("/gongshi/anli/").content.decode()
    assert published.loc.matter.name in html
    assert "优化一次性告知单" in html
    assert "已整改到位" in html
    assert "已核实" in html
    assert "＊＊" in html
    assert "等了很久" not in html  # the rater's own words are never published


def test_reading_the_name_to_strike_it_is_audited(published: SimpleNamespace,
                                                  client: Client) -> None:
    from haochaping.audit.models import AuditEvent

    client.get("/gongshi/anli/")
    event = AuditEvent.objects.get(action="rater.redact")
    assert event.actor_label == "system:disclosure"
    assert event.after == {"purpose": "典型案例公示前去除评价人姓名", "fields": ["name"]}


def test_a_cached_page_makes_no_queries(published: SimpleNamespace, client: Client,
                                        django_assert_num_queries: Any) -> None:
    url = "/gongshi/paiming/?period=month&at=2026-09"
    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.status_code == 200
    assert second.content == first.content


@pytest.mark.parametrize(("query", "message"), [
    ("period=year", "统计周期只能是“月度”或“季度”"),
    ("period=month&at=2026-13", "月份须在 1 至 12 之间"),
    ("period=quarter&at=2026-09", "期间格式不正确"),
    ("period=month&at=2999-01", "只能查询已结束的统计期间"),
])
def test_bad_query_is_refused_in_chinese(db: Any, client: Client, query: str,
                                         message: str) -> None:
    cache.clear()
    response = client.get(f"/gongshi/paiming/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_public_pages_are_rate_limited(db: Any, client: Client, settings: Any) -> None:
    cache.clear()
    settings.HCP_RATE_LIMITS = {"ip": (2, 60)}
    assert [client.get("/gongshi/").status_code for _ in range(3)] == [200, 200, 429]
    assert "访问过于频繁" in client.get("/gongshi/").content.decode()


def test_only_get(db: Any, client: Client) -> None:
    assert client.post("/gongshi/").status_code == 405
