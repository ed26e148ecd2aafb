"""The 绩效考核 screens: the office's whole path (sheet, run, table, XLSX, publish, the
bottom list with a plan, a privacy violation) and the permission rule: a department sees
neither its review (before or after publication) nor the bottom list."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from haochaping.appraisal import services
from haochaping.appraisal.models import (
    ImprovementPlan,
    PrivacyViolation,
    PublishedReview,
    ReviewRun,
    ReviewSheet,
)
from haochaping.appraisal.tests.conftest import Q2, Q3, org_sheet
from haochaping.appraisal.tests.test_services import state
from tests.factories import logged_in

pytestmark = pytest.mark.django_db


def test_office_path_from_sheet_to_published_xlsx(world: SimpleNamespace) -> None:
    office = logged_in(world.people.supervisor)
    page = office.get("/work/appraisal/")
    assert page.status_code == 200
    assert "新建考核方案" in page.content.decode()
    made = office.post("/work/appraisal/sheets/new/", {
        "title": "2026年部门季度考核", "subject_kind": "org", "period_kind": "quarter",
        "use_satisfaction": "1", "mode_satisfaction": "weight", "weight_satisfaction": "80",
        "use_ranking": "1", "mode_ranking": "weight", "weight_ranking": "20",
        "use_overdue_orders": "1", "mode_overdue_orders": "deduct",
        "deduction_overdue_orders": "2"})
    assert made.status_code == 302
    sheet = ReviewSheet.objects.get()
    assert office.get(f"/work/appraisal/sheets/{sheet.pk}/").status_code == 200
    ran = office.post(f"/work/appraisal/sheets/{sheet.pk}/run/", {"year": "2026",
                                                                   "quarter": "3"})
    assert ran.status_code == 302
    run = ReviewRun.objects.get()
    page = office.get(f"/work/appraisal/runs/{run.pk}/").content.decode()
    assert "金水区人力资源和社会保障局" in page
    assert "90.00%" in page
    assert "发布考核结果" in page
    book = load_workbook(io.BytesIO(office.get(f"/work/appraisal/runs/{run.pk}.xlsx").content))
    assert book.sheetnames == ["考核结果", "考核指标", "说明"]
    rows = list(book["考核结果"].values)
    assert rows[0][:5] == ("名次", "机构代码", "部门", "满意率", "综合排名名次")
    assert [r[:3] for r in rows[1:]] == [(1, "MARKET", "郑州市市场监督管理局"),
                                         (2, "TAX", "郑州市税务局"),
                                         (3, "DISTHR", "金水区人力资源和社会保障局")]
    assert rows[3][-2:] == ("是", None)
    assert ("状态", "未发布（计算结果）") in list(book["说明"].values)
    assert office.post(f"/work/appraisal/runs/{run.pk}/publish/").status_code == 302
    review = PublishedReview.objects.get()
    page = office.get(f"/work/appraisal/runs/{run.pk}/").content.decode()
    assert review.sha256 in page
    assert "校验通过" in page
    book = load_workbook(io.BytesIO(office.get(f"/work/appraisal/runs/{run.pk}.xlsx").content))
    assert ("内容摘要 SHA-256", review.sha256) in list(book["说明"].values)
    again = office.post(f"/work/appraisal/sheets/{sheet.pk}/run/", {"year": "2026",
                                                                     "quarter": "3"})
    assert again.status_code == 409
    assert "已发布" in again.content.decode()


@pytest.mark.parametrize(("data", "message"), [
    ({"title": "考核", "subject_kind": "org", "period_kind": "quarter"}, "请至少选择一项考核指标"),
    ({"title": "考核", "subject_kind": "org", "period_kind": "quarter",
      "use_satisfaction": "1", "mode_satisfaction": "weight", "weight_satisfaction": "50"},
     "各项权重之和须为 100"),
    ({"title": "考核", "subject_kind": "x", "period_kind": "quarter"}, "请选择考核对象"),
])
def test_bad_sheet_input_is_refused_in_chinese(world: SimpleNamespace, data: dict[str, str],
                                               message: str) -> None:
    office = logged_in(world.people.supervisor)
    before = state()
    page = office.post("/work/appraisal/sheets/new/", data)
    assert page.status_code == 422
    assert message in page.content.decode()
    assert state() == before


def test_bad_run_input_is_refused(world: SimpleNamespace) -> None:
    sheet = org_sheet(world)
    office = logged_in(world.people.supervisor)
    before = state()
    for data in ({"year": "abc"}, {"year": "2026", "quarter": "9"}, {}):
        page = office.post(f"/work/appraisal/sheets/{sheet.pk}/run/", data)
        assert page.status_code == 422
        assert "role=\"alert\"" in page.content.decode()
    assert state() == before


def test_bottom_list_plan_and_violation_screens(world: SimpleNamespace) -> None:
    sheet = org_sheet(world)
    for start in (Q2, Q3):
        run = services.review_run(actor=world.supervisor, sheet=sheet, start=start,
                                  now=world.now)
        services.review_publish(actor=world.supervisor, run=run, now=world.now)
    office = logged_in(world.people.supervisor)
    page = office.get("/work/appraisal/bottom/").content.decode()
    assert "金水区人力资源和社会保障局" in page
    assert "待制定整改计划" in page
    review = PublishedReview.objects.get(start=Q3)
    done = office.post(f"/work/appraisal/reviews/{review.pk}/plan/", {
        "org": str(world.loc.district_hr.pk), "measures": "开展业务培训，落实首问负责",
        "deadline": ""})
    assert done.status_code == 302
    assert ImprovementPlan.objects.get().measures == "开展业务培训，落实首问负责"
    bad = office.post(f"/work/appraisal/reviews/{review.pk}/plan/", {
        "org": str(world.loc.market.pk), "measures": "x"})
    assert bad.status_code == 422
    assert "不在本期末位名单中" in bad.content.decode()
    assert office.get("/work/appraisal/violations/").status_code == 200
    made = office.post("/work/appraisal/violations/", {
        "org": str(world.loc.market.pk), "staff": str(world.loc.staff.pk),
        "occurred_on": "2026-08-03", "description": "将评价人手机号告知被评价窗口"})
    assert made.status_code == 302
    assert PrivacyViolation.objects.get().staff == world.loc.staff
    refused = office.post("/work/appraisal/violations/", {"org": "abc"})
    assert refused.status_code == 422


URLS = ["/work/appraisal/", "/work/appraisal/sheets/{sheet}/", "/work/appraisal/runs/{run}/",
        "/work/appraisal/runs/{run}.xlsx", "/work/appraisal/runs/{published}/",
        "/work/appraisal/bottom/", "/work/appraisal/violations/"]


@pytest.mark.parametrize("who", ["head", "handler", "window_staff", "auditor", "admin",
                                 "outsider", "monitor"])
def test_departments_see_no_review_and_no_bottom_list(world: SimpleNamespace, who: str
                                                      ) -> None:
    sheet = org_sheet(world)
    for start in (Q2, Q3):
        run = services.review_run(actor=world.supervisor, sheet=sheet, start=start,
                                  now=world.now)
        if start == Q2:
            services.review_publish(actor=world.supervisor, run=run, now=world.now)
    ids = {"sheet": sheet.pk, "run": ReviewRun.objects.get(start=Q3).pk,
           "published": ReviewRun.objects.get(start=Q2).pk}
    client = logged_in(getattr(world.people, who))
    before = state()
    for url in URLS:
        page = client.get(url.format(**ids))
        assert page.status_code == 403, url
        body = page.content.decode()
        assert "金水区人力资源和社会保障局" not in body
        assert "仅限政务服务管理机构" in body
    assert client.post(f"/work/appraisal/runs/{ids['run']}/publish/").status_code == 403
    assert client.post(f"/work/appraisal/sheets/{sheet.pk}/run/",
                       {"year": "2026", "quarter": "1"}).status_code == 403
    assert state() == before


def test_another_office_gets_not_found(world: SimpleNamespace) -> None:
    sheet = org_sheet(world)
    run = services.review_run(actor=world.supervisor, sheet=sheet, start=Q3, now=world.now)
    client = logged_in(world.people.district_supervisor)
    assert client.get(f"/work/appraisal/runs/{run.pk}/").status_code == 404
    assert client.post(f"/work/appraisal/runs/{run.pk}/publish/").status_code == 404
    assert f"/work/appraisal/sheets/{sheet.pk}/" not in client.get(
        "/work/appraisal/").content.decode()


def test_a_department_reads_its_own_published_rows_only(world: SimpleNamespace) -> None:
    sheet = org_sheet(world)
    for start in (Q2, Q3):
        run = services.review_run(actor=world.supervisor, sheet=sheet, start=start,
                                  now=world.now)
        if start == Q2:
            services.review_publish(actor=world.supervisor, run=run, now=world.now)
    page = logged_in(world.people.outsider).get("/work/appraisal/mine/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "2026年第2季度" in body
    assert "2026年第3季度" not in body  # not published
    assert "金水区人力资源和社会保障局" in body
    assert "郑州市市场监督管理局" not in body
    assert "末位" not in body
    head = logged_in(world.people.head).get("/work/appraisal/mine/").content.decode()
    assert "郑州市市场监督管理局" in head
    assert "金水区人力资源和社会保障局" not in head
    assert logged_in(world.people.supervisor).get("/work/appraisal/mine/").status_code == 302
