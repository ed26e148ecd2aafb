"""Through HTTP: the office's and the org's self-assessment screens, the third-party
round from sheet to the public page, Chinese refusals that change nothing, and the
permission rule: an org sees neither another org's form nor third-party scores before
publication; an assessor sees their own visits and nothing else."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from haochaping.accounts.scoping import scope
from haochaping.assessment.models import SelfEntry, Visit
from haochaping.assessment.tests.conftest import published_form, round_with_visit, snapshot
from haochaping.catalog.models import Org

pytestmark = pytest.mark.django_db


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return response.content.decode()


def test_office_and_org_walk_a_self_assessment(asm: SimpleNamespace) -> None:
    office = as_user(asm.people.supervisor)
    page = office.get("/work/assessment/")
    assert page.status_code == 200
    assert "事项清单管理 | 15" in text(page)
    made = office.post("/work/assessment/forms/new/", {
        "title": "2026年10月自评", "start": "2026-10-01", "end": "2026-10-31",
        "deadline": "2026-11-20", "items": "服务态度 | 60 | 文明用语\n便民举措 | 40"})
    assert made.status_code == 302
    form_url = made["Location"]
    published = office.post(f"{form_url}publish/", {"orgs": [asm.loc.market.pk]})
    assert published.status_code == 302
    entry = SelfEntry.objects.get()
    handler = as_user(asm.people.handler)
    assert "2026年10月自评" in text(handler.get("/work/assessment/mine/"))
    ids = list(entry.answers.order_by("item__position").values_list("item_id", flat=True))
    done = handler.post(f"/work/assessment/entries/{entry.pk}/save/", {
        "action": "submit", f"score_{ids[0]}": "55", f"evidence_{ids[0]}": "窗口文明用语培训",
        f"score_{ids[1]}": "40", f"evidence_{ids[1]}": "帮办代办"})
    assert done.status_code == 302
    page = office.get(f"/work/assessment/entries/{entry.pk}/")
    assert "窗口文明用语培训" in text(page)
    assert "确认评分" in text(page)
    scored = office.post(f"/work/assessment/entries/{entry.pk}/review/", {
        "action": "score", f"score_{ids[0]}": "50", f"score_{ids[1]}": "40"})
    assert scored.status_code == 302
    entry.refresh_from_db()
    assert entry.state == "scored"
    assert entry.score == 90.0
    assert "90.0" in text(handler.get(f"/work/assessment/entries/{entry.pk}/"))


def test_bad_input_is_a_chinese_422_and_changes_nothing(asm: SimpleNamespace) -> None:
    published_form(asm)
    entry = SelfEntry.objects.get()
    item = entry.answers.first().item_id  # type: ignore[union-attr]
    office, handler = as_user(asm.people.supervisor), as_user(asm.people.handler)
    before = snapshot()
    for client, url, data in [
        (office, "/work/assessment/forms/new/", {"title": "x", "start": "2026-10-01",
                                                 "end": "2026-10-31", "deadline": "2026-11-20",
                                                 "items": "服务态度 | 十"}),
        (office, "/work/assessment/forms/new/", {"title": "x", "start": "2026-13-01"}),
        (handler, f"/work/assessment/entries/{entry.pk}/save/",
         {"action": "submit", f"score_{item}": "999"}),
        (office, "/work/assessment/rounds/new/", {"title": "暗访", "kind": "mystery",
                                                  "start": "2026-11-30", "end": "2026-11-01",
                                                  "items": "礼仪 | 10"}),
    ]:
        page = client.post(url, data)
        assert page.status_code in (400, 404, 409, 422), url
        assert 'role="alert"' in text(page)
    assert snapshot() == before


def test_an_org_sees_only_its_own_and_no_scores_before_publication(
        asm: SimpleNamespace) -> None:
    published_form(asm, asm.loc.market, asm.loc.district_hr)
    theirs = SelfEntry.objects.get(org=asm.loc.district_hr)
    handler = as_user(asm.people.handler)
    assert asm.loc.district_hr.name not in text(handler.get("/work/assessment/mine/"))
    assert handler.get(f"/work/assessment/entries/{theirs.pk}/").status_code == 404
    assert handler.post(f"/work/assessment/entries/{theirs.pk}/save/",
                        {"action": "submit"}).status_code == 404
    row, visit = round_with_visit(asm)
    for url in ("/work/assessment/", "/work/assessment/rounds/",
                f"/work/assessment/rounds/{row.pk}/", "/work/assessment/visits/",
                f"/work/assessment/visits/{visit.pk}/"):
        assert handler.get(url).status_code in (403, 404), url
    cache.clear()
    public = Client().get("/gongshi/assessments/")
    assert public.status_code == 200
    assert row.title not in text(public)


def test_an_assessor_sees_only_their_visits_and_the_public_page_after_publication(
        asm: SimpleNamespace) -> None:
    published_form(asm)
    row, visit = round_with_visit(asm)
    other = Visit.objects.create(assessment=row, assessor=asm.other_assessor.user,
                                 hall=asm.loc.hall, window=asm.loc.window, org=asm.loc.market,
                                 org_path=asm.loc.market.path)
    assessor = as_user(asm.assessor_user)
    mine = text(assessor.get("/work/assessment/visits/"))
    assert f"/work/assessment/visits/{visit.pk}/" in mine
    assert f"/work/assessment/visits/{other.pk}/" not in mine
    assert assessor.get(f"/work/assessment/visits/{other.pk}/").status_code == 404
    entry = SelfEntry.objects.get()
    for url in ("/work/assessment/", "/work/assessment/rounds/", "/work/assessment/mine/",
                f"/work/assessment/rounds/{row.pk}/", f"/work/assessment/entries/{entry.pk}/"):
        assert assessor.get(url).status_code in (403, 404), url
    # kept apart: the assessor organisation is outside every management subtree
    assert set(scope(Org.objects.all(), asm.assessor).values_list("code", flat=True)) == {
        "ASSESSFIRM"}
    items = list(row.items.all())
    recorded = assessor.post(f"/work/assessment/visits/{visit.pk}/", {
        "visited_at": "2026-11-09T09:30", "remarks": "秩序良好，未主动引导评价",
        **{f"score_{i.pk}": str(i.max_score) for i in items}})
    assert recorded.status_code == 302
    Visit.objects.filter(pk=other.pk).delete()
    office = as_user(asm.people.supervisor)
    assert office.post(f"/work/assessment/visits/{visit.pk}/review/",
                       {"action": "accept"}).status_code == 302
    assert office.post(f"/work/assessment/rounds/{row.pk}/publish/",
                       {"summary": "四季度暗访总体良好"}).status_code == 302
    cache.clear()
    public = text(Client().get("/gongshi/assessments/"))
    assert row.title in public
    assert "100.0" in public
    assert asm.assessor_user.username not in public
    assert "未主动引导评价" not in public  # remarks stay with the office


def test_assign_through_the_screen(asm: SimpleNamespace) -> None:
    row, _ = round_with_visit(asm)
    office = as_user(asm.people.supervisor)
    page = text(office.get(f"/work/assessment/rounds/{row.pk}/"))
    assert "河南正信评估咨询有限公司" in page
    done = office.post(f"/work/assessment/rounds/{row.pk}/assign/",
                       {"assessor": asm.assessor_user.pk, "window": asm.loc.window.pk})
    assert done.status_code == 302
    assert Visit.objects.filter(assessment=row).count() == 2
    refused = office.post(f"/work/assessment/rounds/{row.pk}/assign/",
                          {"assessor": asm.people.handler.pk, "window": asm.loc.window.pk})
    assert refused.status_code == 422
    assert "请选择第三方评估人员" in text(refused)
