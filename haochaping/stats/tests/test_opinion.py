"""社情民意 from rows (stats.opinion) and its screens: texts of valid ratings and accepted
items in the period and scope, never a text, a rater or a staff member's name."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.rules.standards import Channel
from haochaping.complaints.services.intake import Subject, submission_receive
from haochaping.core.localtime import SHANGHAI
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.tests import factories as ef
from haochaping.stats import opinion, reports
from haochaping.stats.views.opinion import last_month
from tests.factories import logged_in

pytestmark = pytest.mark.django_db
QUEUE = "排队时间太长，等了一个多小时，王晓明说系统故障"
ITEM = "我在市场监管局窗口排队两个小时，系统故障无法取号，希望增加窗口。"
ITEM_AGAIN = "周一上午去办营业执照，排队的人很多，自助机也出现故障，建议高峰期加开窗口。"


@pytest.fixture
def texts(locality: SimpleNamespace, django_capture_on_commit_callbacks: Any) -> SimpleNamespace:
    source, _ = ef.make_client(locality.market, scopes=("handlings:write",), name="审批系统")
    ratings, rater = [], ef.make_rater()
    with django_capture_on_commit_callbacks(execute=True):
        for _n in range(3):
            handling = ef.make_handling(locality, client=source, rater=rater)
            [rating] = evaluation_submit(handling=handling, channel=Channel.WEB,
                                         rating=RatingInput(1, reason_codes=["108"],
                                                            text=QUEUE))
            ratings.append(rating)
        for n, content in enumerate((ITEM, ITEM_AGAIN)):
            submission_receive(kind="complaint", channel="web", content=content,
                               subject=Subject(org=locality.market), phone_index=f"p{n}")
    day = ratings[0].created_at.astimezone(SHANGHAI).date()
    return SimpleNamespace(day=day, ratings=ratings)


def test_hot_words_count_ratings_and_items_of_the_scope(personas: SimpleNamespace,
                                                        texts: SimpleNamespace) -> None:
    found = opinion.opinion(actor_for_user(personas.supervisor), texts.day, texts.day)
    assert (found.ratings, found.items) == (3, 2)
    words = {w.word: w.texts for w in found.words}
    assert words["排队"] == 5
    assert words["系统故障"] == 4
    assert "王晓明" not in words  # the staff member's name (locality.staff)
    assert found.topics
    assert all(t.texts >= 2 for t in found.topics)


def test_another_departments_scope_reads_none_of_it(personas: SimpleNamespace,
                                                    texts: SimpleNamespace) -> None:
    found = opinion.opinion(actor_for_user(personas.outsider), texts.day, texts.day)
    assert (found.ratings, found.items, found.words) == (0, 0, [])


def test_an_invalidated_rating_no_longer_speaks(personas: SimpleNamespace,
                                               texts: SimpleNamespace) -> None:
    Evaluation.objects.filter(pk__in=[r.pk for r in texts.ratings]).update(
        invalidated_at=timezone.now(), invalid_reason="申诉成立")
    found = opinion.opinion(actor_for_user(personas.supervisor), texts.day, texts.day)
    assert found.ratings == 0


def test_the_page_and_the_dashboard_panel(personas: SimpleNamespace,
                                          texts: SimpleNamespace) -> None:
    client = logged_in(personas.supervisor)
    day = texts.day.isoformat()
    page = client.get("/work/stats/opinion/", {"start": day, "end": day})
    assert page.status_code == 200
    body = page.content.decode()
    assert "排队" in body
    assert "各部门热词" in body
    assert QUEUE not in body
    panel = client.get("/work/stats/opinion/panel/", {"start": day, "end": day})
    assert panel.status_code == 200
    assert "社情民意热词" in panel.content.decode()
    dashboard = client.get("/work/stats/", {"start": day, "end": day, "period": "day"})
    assert "stats:opinion_panel" not in dashboard.content.decode()
    assert "/work/stats/opinion/panel/" in dashboard.content.decode()


def test_the_page_opens_on_the_last_complete_month(personas: SimpleNamespace) -> None:
    with time_machine.travel("2026-12-07T10:00:00+08:00", tick=False):
        body = logged_in(personas.supervisor).get("/work/stats/opinion/").content.decode()
        assert last_month(timezone.localdate()) == (timezone.localdate().replace(
            month=11, day=1), timezone.localdate().replace(month=11, day=30))
    assert "2026-11-01 至 2026-11-30" in body


@pytest.mark.parametrize("query", [{"start": "2026-13-01"}, {"matter": "abc"},
                                   {"matter": "999999"}, {"start": "2026-05-02",
                                                          "end": "2026-05-01"},
                                   {"scope": "999999"}])
def test_bad_filters_are_refused_in_chinese(personas: SimpleNamespace,
                                            query: dict[str, str]) -> None:
    response = logged_in(personas.supervisor).get("/work/stats/opinion/", query)
    assert response.status_code in (400, 422)
    body = response.content.decode()
    assert any(word in body for word in ("无效", "不能", "不在本机构"))


def test_window_staff_may_not_read_it(personas: SimpleNamespace) -> None:
    assert logged_in(personas.window_staff).get("/work/stats/opinion/").status_code == 403
    assert Client().get("/work/stats/opinion/").status_code == 302


def test_the_monthly_report_carries_the_hot_words(personas: SimpleNamespace,
                                                  texts: SimpleNamespace) -> None:
    period = texts.day.replace(day=1)
    sheet = reports.opinion_sheet(reports.scope_actor(None), period)
    assert sheet.title == "社情民意"
    words = {row[0]: row[1] for row in sheet.rows}
    assert words["排队"] == 5
    assert any(str(row[0]).startswith("热点话题") for row in sheet.rows)
    earlier = reports.opinion_sheet(reports.scope_actor(None),
                                    (period - timedelta(days=1)).replace(day=1))
    assert earlier.rows == []  # nothing was written the month before
