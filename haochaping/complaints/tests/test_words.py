"""The office's word-list screen (/work/complaints/words/), its services and the admin:
who may change the lists, bad input refused with a Chinese message and nothing written,
every change audited."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from haochaping.audit.models import AuditEvent
from haochaping.complaints.models import FilterWord
from haochaping.complaints.services.intake import Subject, submission_receive

pytestmark = pytest.mark.django_db

PAGE = "/work/complaints/words/"


def login(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def add(client: Client, **data: str) -> object:
    form = {"category": "out_of_scope", "reason": "litigation", "word": "判决太不公平",
            "strength": "hit", "note": "测试添加", **data}
    return client.post(reverse("complaints:word_add"), form)


def test_urls_are_mounted() -> None:
    assert reverse("complaints:words") == PAGE


def test_the_office_lists_words_by_category(personas: SimpleNamespace) -> None:
    FilterWord.objects.create(category="invalid", reason="abuse", word="示例脏话",
                              strength="hit", updated_at="2024-10-01T00:00:00Z")
    page = login(personas.supervisor).get(PAGE, {"category": "invalid"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "示例脏话" in body
    assert 'data-tab="out_of_scope"' in body
    assert "<meta name=\"viewport\"" in body


@pytest.mark.parametrize("who", ["handler", "head", "monitor", "window_staff", "auditor",
                                 "admin"])
def test_only_the_office_may_see_or_change_the_lists(personas: SimpleNamespace,
                                                     who: str) -> None:
    client = login(getattr(personas, who))
    before = FilterWord.objects.count()
    assert client.get(PAGE).status_code == 403
    refused = add(client)
    assert refused.status_code == 403
    assert "只有政务服务管理机构可以维护过滤词表" in refused.content.decode()
    assert FilterWord.objects.count() == before
    assert not AuditEvent.objects.filter(action__startswith="complaint.filter_word").exists()


def test_anonymous_is_sent_to_login() -> None:
    assert Client().get(PAGE).status_code == 302


def test_adding_a_word_is_audited_and_shown(personas: SimpleNamespace) -> None:
    client = login(personas.supervisor)
    done = add(client, HTTP_HX_REQUEST="true")  # type: ignore[arg-type]
    assert done.status_code == 200
    assert "已添加过滤词“判决太不公平”" in done.content.decode()
    row = FilterWord.objects.get(word="判决太不公平")
    assert (row.category, row.reason, row.strength, row.updated_by) == (
        "out_of_scope", "litigation", "hit", personas.supervisor)
    event = AuditEvent.objects.get(action="complaint.filter_word_add")
    assert event.after["word"] == "判决太不公平"


@pytest.mark.parametrize(("data", "code", "message"), [
    ({"word": "  "}, "filter.word_required", "请填写过滤词"),
    ({"word": "判"}, "filter.word_too_short", "过滤词至少要有 2 个汉字、字母或数字"),
    ({"word": "判决 不公"}, "filter.word_space", "过滤词中不能有空格"),
    ({"word": "判" * 51}, "filter.word_too_long", "过滤词不能超过 50 个字"),
    ({"reason": "nonsense"}, "filter.invalid_reason", "请选择不予受理的原因"),
    ({"strength": "ban"}, "filter.invalid_strength", "请选择处理方式"),
    ({"note": "长" * 201}, "filter.note_too_long", "说明不能超过 200 个字"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_written(
        personas: SimpleNamespace, data: dict[str, str], code: str, message: str) -> None:
    before = FilterWord.objects.count()
    response = add(login(personas.supervisor), **data)
    assert response.status_code == 422
    body = response.content.decode()
    assert f'data-code="{code}"' in body
    assert message in body
    assert FilterWord.objects.count() == before
    assert not AuditEvent.objects.filter(action__startswith="complaint.filter_word").exists()


def test_a_word_twice_is_refused(personas: SimpleNamespace) -> None:
    client = login(personas.supervisor)
    add(client)
    again = add(client)
    assert again.status_code == 422
    assert 'data-code="filter.word_exists"' in again.content.decode()
    assert FilterWord.objects.filter(word="判决太不公平").count() == 1
    assert AuditEvent.objects.filter(action="complaint.filter_word_add").count() == 1


def test_disable_and_enable_are_audited(personas: SimpleNamespace) -> None:
    client = login(personas.supervisor)
    add(client)
    row = FilterWord.objects.get(word="判决太不公平")
    url = reverse("complaints:word_active", args=[row.pk])
    assert client.post(url, {"active": "0"}).status_code == 200
    row.refresh_from_db()
    assert not row.is_active
    assert client.post(url, {"active": "1"}).status_code == 200
    row.refresh_from_db()
    assert row.is_active
    assert [e.action for e in AuditEvent.objects.filter(
        action__startswith="complaint.filter_word").order_by("pk")] == [
        "complaint.filter_word_add", "complaint.filter_word_disable",
        "complaint.filter_word_enable"]
    missing = client.post(reverse("complaints:word_active", args=[row.pk + 999]),
                          {"active": "0"})
    assert missing.status_code == 404


def test_adding_a_disabled_word_again_enables_it(personas: SimpleNamespace) -> None:
    client = login(personas.supervisor)
    add(client, strength="hit")
    row = FilterWord.objects.get(word="判决太不公平")
    client.post(reverse("complaints:word_active", args=[row.pk]), {"active": "0"})
    assert add(client, strength="cue").status_code == 200
    row.refresh_from_db()
    assert (row.is_active, row.strength) == (True, "cue")


def test_trying_a_text_shows_the_verdict_and_stores_nothing(
        personas: SimpleNamespace) -> None:
    client = login(personas.supervisor)
    add(client)
    url = reverse("complaints:word_try")
    shown = client.post(url, {"text": "法院这个判决太不公平，请你们出面。"})
    body = shown.content.decode()
    assert 'data-decision="refuse"' in body
    assert 'data-reason="litigation"' in body
    assert "请通过人民法院、仲裁机构等法定途径解决" in body
    empty = client.post(url, {"text": " "})
    assert empty.status_code == 422
    assert 'data-code="filter.try_text_required"' in empty.content.decode()
    assert login(personas.handler).post(url, {"text": "测试"}).status_code == 403


def test_admin_filter_words_are_audited_and_never_deleted(personas: SimpleNamespace) -> None:
    client = login(personas.supervisor)
    response = client.post("/admin/complaints/filterword/add/",
                           {"reason": "abuse", "word": "示例粗口", "strength": "hit",
                            "is_active": "on", "note": ""})
    assert response.status_code == 302
    row = FilterWord.objects.get(word="示例粗口")
    assert row.category == "invalid"
    changed = client.post(f"/admin/complaints/filterword/{row.pk}/change/",
                          {"strength": "cue", "note": "改为转人工"})
    assert changed.status_code == 302
    row.refresh_from_db()
    assert (row.strength, row.is_active, row.note) == ("cue", False, "改为转人工")
    assert [e.action for e in AuditEvent.objects.filter(
        action__startswith="complaint.filter_word").order_by("pk")] == [
        "complaint.filter_word_add", "complaint.filter_word_change"]
    assert client.get(f"/admin/complaints/filterword/{row.pk}/delete/").status_code == 403
    bad = client.post("/admin/complaints/filterword/add/",
                      {"reason": "abuse", "word": "骂", "strength": "hit"})
    assert bad.status_code == 200
    assert "过滤词至少要有" in bad.content.decode()
    assert login(personas.handler).get("/admin/complaints/filterword/").status_code == 302


def test_admin_submissions_read_only_scoped_and_masked(locality: SimpleNamespace,
                                                       personas: SimpleNamespace) -> None:
    item = submission_receive(
        kind="complaint", channel="web", subject=Subject(org=locality.market),
        content="市场监管局窗口办理营业执照变更要求重复提交材料，希望一次性告知。",
        phone_index="secret-index-value")
    office = login(personas.supervisor)
    page = office.get(f"/admin/complaints/submission/{item.pk}/change/")
    assert page.status_code == 200
    assert item.ref in page.content.decode()
    assert "secret-index-value" not in page.content.decode()
    assert office.post(f"/admin/complaints/submission/{item.pk}/change/",
                       {"content": "改"}).status_code == 403
    district = login(personas.district_supervisor)
    assert district.get(f"/admin/complaints/submission/{item.pk}/change/").status_code == 302
    assert login(personas.admin).get("/admin/complaints/submission/").status_code == 403
