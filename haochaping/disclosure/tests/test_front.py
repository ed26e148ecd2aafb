"""The 公示专栏's front page, the public home, search and paging (issue 16)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.core.cache import cache
from django.test import Client

from haochaping.catalog.models import Org
from haochaping.disclosure import rules

RANKING = "/gongshi/paiming/?period=month&at=2026-09"


def test_the_front_page_opens_with_the_headline_and_the_latest_ranking(
        published: SimpleNamespace, client: Client) -> None:
    html = client.get("/gongshi/").content.decode()
    assert "2026年9月评价结果" in html
    assert "条有效评价" in html
    assert "差评整改率" in html
    assert "综合排名前 1 名" in html
    assert published.loc.market.name in html
    assert html.index("2026年9月评价结果") < html.index("往期结果")


def test_anonymous_root_is_the_public_home(published: SimpleNamespace, client: Client) -> None:
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("我要评价", "查进度", "看结果", "/tousu/track/", "/gongshi/",
                 "/accounts/login/", "2026年9月评价结果"):
        assert text in html
    assert client.get("/gongshi/shouye/").status_code == 200
    # The same / is the workbench once logged in: no browser or proxy may keep it.
    assert response["Cache-Control"] == "no-cache, private"
    assert not response.has_header("Expires")
    assert "Cookie" in response["Vary"]


def test_staff_still_reach_their_workbench_at_root(published: SimpleNamespace,
                                                   client: Client) -> None:
    client.get("/")  # the public home, now in the server's cache
    client.force_login(published.people.supervisor)
    html = client.get("/").content.decode()
    assert "我要评价" not in html


def test_the_ranking_is_searched_by_name(published: SimpleNamespace, client: Client) -> None:
    name = published.loc.market.name
    html = client.get(f"{RANKING}&q={name[:2]}").content.decode()
    assert name in html
    html = client.get(f"{RANKING}&q=没有这个部门").content.decode()
    assert "没有名称包含“没有这个部门”的部门" in html
    assert name not in html.split("<h1>")[1].split("各部门差评整改情况")[0]


def test_bad_paging_and_long_search_text_answer_a_page(published: SimpleNamespace,
                                                      client: Client) -> None:
    for query in ("&page=abc", "&page=999999999999", "&page=-1", "&q=" + "局" * 300):
        assert client.get(RANKING + query).status_code == 200
    for query in ("?page=abc", "?q=%E2%80%8B", "?page=3&q=x"):
        assert client.get("/gongshi/anli/" + query).status_code == 200


def test_cases_are_searched(published: SimpleNamespace, client: Client) -> None:
    matter = published.loc.matter.name
    html = client.get(f"/gongshi/anli/?q={matter}").content.decode()
    assert "优化一次性告知单" in html
    assert "个。" in html
    html = client.get("/gongshi/anli/?q=没有这样的案例").content.decode()
    assert "没有找到与“没有这样的案例”有关的案例" in html
    assert "优化一次性告知单" not in html


def test_the_definitions_speak_plain_chinese(published: SimpleNamespace,
                                            client: Client) -> None:
    html = client.get("/gongshi/koujing/").content.decode()
    assert "满意率" in html
    assert "参评率" in html
    for jargon in ("docs/", ".md", "seed", "is_default", "level_5", "invalidated_at",
                   "rated_real", "`", "§"):
        assert jargon not in html


def test_the_ranking_pages_twenty_departments_at_a_time(published: SimpleNamespace,
                                                       client: Client, db: Any) -> None:
    # Page links carry the search and period; the page count is stated.
    cache.clear()
    assert Org.objects.exists()
    html = client.get(RANKING).content.decode()
    assert html.count('<tr>') - 1 <= rules.PAGE_SIZE
