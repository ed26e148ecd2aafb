"""公示专栏: public, cached, rate-limited, and free of personal data."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.catalog.models import BadReason
from haochaping.disclosure.tests.conftest import RATER_ID, RATER_NAME, RATER_PHONE
from haochaping.vault import crypto
from haochaping.workorders.models import WorkOrder
from haochaping.workorders.services import workorder_mark_typical

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
    reason = BadReason.objects.filter(code="108").values_list("text", flat=True).first()
    assert reason
    assert reason in html
    assert published.loc.matter.name in html
    assert published.loc.market.name in html
    assert "优化一次性告知单" in html
    assert "已整改到位" in html
    assert "已核实" in html
    assert "您好，已核实，身份证***，联系电话***，已整改。" in html
    assert "等了很久" not in html  # the rater's own words are never published


def test_the_public_page_reads_the_stored_text_and_decrypts_nothing(
        published: SimpleNamespace, client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_decryption(*args: object, **kwargs: object) -> str:
        raise AssertionError("the public page decrypted personal data")

    monkeypatch.setattr(crypto, "decrypt_field", no_decryption)
    WorkOrder.objects.filter(pk=published.order.pk).update(
        public_summary="问题类别：其他\n\n部门答复：\n已由管理机构审定的公示文本")
    audit_rows = AuditEvent.objects.count()
    response = client.get("/gongshi/anli/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "已由管理机构审定的公示文本" in html
    assert RATER_NAME not in html
    assert AuditEvent.objects.count() == audit_rows
    assert not AuditEvent.objects.filter(action="rater.redact",
                                         actor_label="system:disclosure").exists()


def test_the_rater_was_read_only_by_the_office_when_it_published(
        published: SimpleNamespace, client: Client) -> None:
    events = AuditEvent.objects.filter(action="rater.redact")
    assert events.count() == 2  # 发布预览 and 确认发布
    assert {e.actor_id for e in events} == {published.people.supervisor.pk}
    client.get("/gongshi/anli/")
    assert AuditEvent.objects.filter(action="rater.redact").count() == 2


def test_an_unmarked_case_leaves_the_page(published: SimpleNamespace, client: Client) -> None:
    assert published.loc.matter.name in client.get("/gongshi/anli/").content.decode()
    workorder_mark_typical(actor=actor_for_user(published.people.supervisor),
                           order=published.order, typical=False)
    cache.clear()
    html = client.get("/gongshi/anli/").content.decode()
    assert "暂无公示的典型案例" in html
    assert "优化一次性告知单" not in html


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
