"""The 核查抽查 screens: the office's whole path (plan, draw, findings with evidence,
publication, 通报 page and XLSX) and the permission rule: a department can neither see
nor influence its own sample before the 通报 is published, and afterwards sees its own
subtree's items only."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from haochaping.audit.models import AuditEvent
from haochaping.supervision.models import CheckDraw, CheckFinding, CheckItem, CheckPlan
from haochaping.supervision.rules import Stratum
from haochaping.supervision.services import check_draw, finding_record, plan_create
from haochaping.supervision.tests.conftest import SEPT, snapshot
from haochaping.workorders.models import WorkOrder
from tests.factories import logged_in

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _drawn(sv: SimpleNamespace) -> CheckPlan:
    plan = plan_create(actor=sv.supervisor, title="2026年9月核查抽查", start=SEPT[0],
                       end=SEPT[1], rates={Stratum.BAD: 100, Stratum.GOOD: 25,
                                           Stratum.ORDER: 100}, now=sv.now)
    check_draw(actor=sv.supervisor, plan=plan, seed="v1", now=sv.now)
    return plan


def test_office_path_from_plan_to_bulletin(sv: SimpleNamespace) -> None:
    office = logged_in(sv.people.supervisor)
    page = office.get("/work/supervision/")
    assert page.status_code == 200
    assert "创建计划" in page.content.decode()
    made = office.post("/work/supervision/plans/new/", {
        "title": "2026年9月核查抽查", "start": "2026-09-01", "end": "2026-09-30",
        "rate_good": "25", "rate_bad": "100", "rate_default": "0", "rate_order": "100"})
    plan = CheckPlan.objects.get()
    assert made.status_code == 302
    drawn = office.post(f"/work/supervision/plans/{plan.pk}/draw/", {"seed": "v1"})
    assert drawn.status_code == 302
    assert CheckDraw.objects.get().seed == "v1"
    item = CheckItem.objects.get(order=sv.closed[0])
    with io.BytesIO(PNG) as evidence:
        evidence.name = "现场照片.png"
        done = office.post(f"/work/supervision/items/{item.pk}/finding/", {
            "method": "on_site", "finding": "false_report", "checked_on": "2026-10-12",
            "note": "实地察看，材料清单仍未公示", "evidence": evidence})
    assert done.status_code == 302
    assert WorkOrder.objects.get(pk=sv.closed[0].pk).status == "returned"
    page = office.get(f"/work/supervision/plans/{plan.pk}/?replay=1").content.decode()
    assert "虚报整改（弄虚作假）" in page
    assert "结果与原抽样一致" in page
    early = office.post(f"/work/supervision/plans/{plan.pk}/publish/")
    assert early.status_code == 422
    assert "未记录结论" in early.content.decode()
    for other in CheckItem.objects.filter(finding__isnull=True):
        office.post(f"/work/supervision/items/{other.pk}/finding/", {
            "method": "phone" if other.evaluation_id else "archive",
            "finding": "confirmed" if other.evaluation_id else "verified",
            "checked_on": "2026-10-12", "note": "已核实"})
    assert office.post(f"/work/supervision/plans/{plan.pk}/publish/").status_code == 302
    assert "整改核实率" in office.get("/").content.decode()  # the home page's panel
    bulletin = office.get(f"/work/supervision/plans/{plan.pk}/bulletin/").content.decode()
    assert "核查抽查情况通报" in bulletin
    assert "工单已退回重新整改" in bulletin
    sheet = office.get(f"/work/supervision/plans/{plan.pk}/bulletin.xlsx")
    book = load_workbook(io.BytesIO(sheet.content))
    assert book.sheetnames == ["按部门", "按窗口", "问题清单"]
    assert book["问题清单"]["G2"].value == "虚报整改（弄虚作假）"
    assert AuditEvent.objects.filter(action="supervision.bulletin_export").count() == 1


def test_bad_form_input_is_a_chinese_422_and_changes_nothing(sv: SimpleNamespace) -> None:
    office = logged_in(sv.people.supervisor)
    before = snapshot()
    for data in ({"title": "x", "start": "2026-13-01", "end": "2026-09-30"},
                 {"title": "x", "start": "2026-09-01", "end": "2026-09-30", "rate_bad": "abc"},
                 {"title": "x", "start": "2026-09-01", "end": "2026-09-30"}):
        page = office.post("/work/supervision/plans/new/", data)
        assert page.status_code == 422
        assert 'role="alert"' in page.content.decode()
    plan = _drawn(sv)
    before = snapshot()
    item = CheckItem.objects.filter(evaluation__isnull=False).first()
    assert item is not None
    page = office.post(f"/work/supervision/items/{item.pk}/finding/", {
        "method": "phone", "finding": "verified", "checked_on": "2026-10-12", "note": "x"})
    assert page.status_code == 422
    assert "该核查对象的结论须为" in page.content.decode()
    page = office.post(f"/work/supervision/items/{item.pk}/finding/", {
        "method": "phone", "finding": "confirmed", "checked_on": "昨天", "note": "x"})
    assert page.status_code == 422
    assert snapshot() == before
    assert office.get(f"/work/supervision/plans/{plan.pk + 99}/").status_code == 404


@pytest.mark.parametrize("who", ["handler", "head", "window_staff", "auditor", "monitor"])
def test_a_department_neither_sees_nor_steers_its_sample_before_publication(
        sv: SimpleNamespace, who: str) -> None:
    plan = _drawn(sv)
    item = CheckItem.objects.filter(evaluation__isnull=False).first()
    assert item is not None
    client = logged_in(getattr(sv.people, who))
    before = snapshot()
    listing = client.get("/work/supervision/")
    assert listing.status_code in (200, 403)
    assert plan.title not in listing.content.decode()
    for url in (f"/work/supervision/plans/{plan.pk}/",
                f"/work/supervision/plans/{plan.pk}/bulletin/",
                f"/work/supervision/plans/{plan.pk}/bulletin.xlsx"):
        assert client.get(url).status_code in (403, 404), url
    for url, data in ((f"/work/supervision/plans/{plan.pk}/draw/", {"seed": "mine"}),
                      (f"/work/supervision/plans/{plan.pk}/publish/", {}),
                      (f"/work/supervision/items/{item.pk}/finding/",
                       {"method": "phone", "finding": "confirmed",
                        "checked_on": "2026-10-12", "note": "本部门自查属实"}),
                      ("/work/supervision/plans/new/",
                       {"title": "自选", "start": "2026-09-01", "end": "2026-09-30",
                        "rate_good": "100"})):
        assert client.post(url, data).status_code in (403, 404), url
    assert snapshot() == before


def test_after_publication_a_department_reads_its_own_items_only(
        sv: SimpleNamespace) -> None:
    plan = _drawn(sv)
    for item in CheckItem.objects.all():
        finding_record(actor=sv.supervisor, item_id=item.pk, method="phone",
                       finding="confirmed" if item.evaluation_id else "verified",
                       note="已核实", checked_on=SEPT[1].replace(month=10, day=12),
                       now=sv.now)
    from haochaping.supervision.services import plan_publish
    plan_publish(actor=sv.supervisor, plan=plan, now=sv.now)
    handler = logged_in(sv.people.handler)
    page = handler.get(f"/work/supervision/plans/{plan.pk}/").content.decode()
    assert "通报已发布" in page
    assert "抽取核查对象" not in page  # no draw form, no seed
    assert "v1" not in page
    assert handler.get(f"/work/supervision/plans/{plan.pk}/bulletin/").status_code == 200
    home = handler.get("/").content.decode()
    assert "核查抽查通报" in home  # the link, and the panel of the published plan
    assert "2026年9月核查抽查" in home
    assert sv.loc.market.name in page
    # another department inside the plan's scope: the plan, none of the market's rows
    other = logged_in(sv.people.outsider).get(f"/work/supervision/plans/{plan.pk}/")
    assert other.status_code == 200
    assert sv.loc.market.name not in other.content.decode()
    assert CheckFinding.objects.count() == CheckItem.objects.count()
