"""Headless-Chromium walks of 自评与第三方评估 (issue 15): a department fills in its
self-assessment with an attachment, is refused a bad score in Chinese, submits; the office
scores it. An assessor (apart from management) records a visit on a phone-width screen and,
once the office publishes, the public page shows the result."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.assessment import services, services_visits
from haochaping.assessment.models import SelfEntry, Visit
from haochaping.assessment.rules import DEFAULT_SELF_ITEMS, DEFAULT_VISIT_ITEMS, ItemSpec
from haochaping.core.localtime import local_day
from tests import factories as f
from tests.browser.conftest import PHONE_VIEWPORT, login, new_tab

pytestmark = pytest.mark.browser
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_a_department_fills_in_and_the_office_scores(
        browser: Any, live_server: Any, locality: SimpleNamespace, personas: SimpleNamespace,
        transactional_db: Any) -> None:
    now = timezone.now()
    today = local_day(now)
    office = actor_for_user(personas.supervisor)
    form = services.self_form_create(
        actor=office, title="上月政务服务自评", start=today - timedelta(days=40),
        end=today - timedelta(days=10), deadline=today + timedelta(days=10),
        items=[ItemSpec("服务态度", 60, "文明用语"), ItemSpec("便民举措", 40)], now=now)
    services.self_form_publish(actor=office, form_id=form.pk, org_ids=[locality.market.pk],
                               now=now)
    entry = SelfEntry.objects.get()
    first, second = entry.answers.order_by("item__position").values_list("item_id", flat=True)

    tab = login(browser, live_server, "handler", "/work/assessment/mine/")
    tab.click("text=上月政务服务自评")
    tab.wait_for_selector("[data-testid=fill-form]")
    tab.fill(f"input[name=score_{first}]", "75")
    tab.fill(f"textarea[name=evidence_{first}]", "开展文明服务培训两次")
    tab.set_input_files(f"input[name=attachment_{first}]", files=[
        {"name": "培训签到表.png", "mimeType": "image/png", "buffer": PNG}])
    tab.fill(f"input[name=score_{second}]", "38")
    tab.click("button[value=submit]")
    tab.wait_for_selector("[role=alert]")
    assert "得分须在 0 至 60 分之间" in tab.locator("[role=alert]").inner_text()
    assert SelfEntry.objects.get().state == "pending"
    tab.fill(f"input[name=score_{first}]", "55")
    tab.set_input_files(f"input[name=attachment_{first}]", files=[
        {"name": "培训签到表.png", "mimeType": "image/png", "buffer": PNG}])
    tab.click("button[value=submit]")
    tab.wait_for_selector("text=已提交待审核")
    assert SelfEntry.objects.get().self_score == 93.0
    tab.context.close()

    desk = login(browser, live_server, "supervisor", f"/work/assessment/entries/{entry.pk}/")
    assert "培训签到表.png" in desk.locator("[data-testid=answers]").inner_text()
    desk.fill(f"input[name=score_{first}]", "50")
    desk.click("button[value=score]")
    desk.wait_for_selector("[data-testid=score]")
    assert desk.locator("[data-testid=score]").inner_text() == "88.0"
    desk.screenshot(path="/tmp/assessment_entry.png", full_page=True)
    desk.context.close()


def test_an_assessor_records_a_visit_on_a_phone_and_the_result_goes_public(
        browser: Any, live_server: Any, locality: SimpleNamespace, personas: SimpleNamespace,
        transactional_db: Any) -> None:
    now = timezone.now()
    today = local_day(now)
    firm = f.make_org("河南正信政务服务评估中心", code="ASSESSFIRM")
    assessor = f.make_user("assessor", role="auditor", org=firm)
    office = actor_for_user(personas.supervisor)
    row = services_visits.assessment_create(
        actor=office, title="本季度窗口暗访", kind="mystery", start=today - timedelta(days=10),
        end=today + timedelta(days=10), items=DEFAULT_VISIT_ITEMS, now=now)
    visit = services_visits.visit_assign(actor=office, assessment_id=row.pk,
                                         assessor_id=assessor.pk, window_id=locality.window.pk)
    assert DEFAULT_SELF_ITEMS  # the office's defaults are the self-assessment's, not these

    tab = login(browser, live_server, "assessor", "/work/assessment/visits/",
                viewport=PHONE_VIEWPORT)
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"] + 1
    tab.click(f"a[href='/work/assessment/visits/{visit.pk}/']")
    tab.wait_for_selector("[data-testid=visit-form]")
    when = (now - timedelta(hours=2)).astimezone(timezone.get_current_timezone())
    tab.fill("input[name=visited_at]", when.strftime("%Y-%m-%dT%H:%M"))
    for item in row.items.all():
        tab.fill(f"input[name=score_{item.pk}]", str(item.max_score - 2))
    tab.fill("textarea[name=remarks]", "窗口人员服务规范，未主动引导评价")
    tab.click("[data-testid=visit-form] button[type=submit]")
    tab.wait_for_selector("[data-testid=my-visits]")
    assert "已记录待审核" in tab.locator("[data-testid=my-visits]").inner_text()
    assert Visit.objects.get().score == 90.0
    response = tab.goto("/work/assessment/rounds/")
    assert response is not None
    assert response.status == 403
    tab.context.close()

    desk = login(browser, live_server, "supervisor", f"/work/assessment/rounds/{row.pk}/")
    desk.click("[data-testid=review-visit] button[value=accept]")
    desk.wait_for_selector("[data-testid=publish-round]")
    desk.fill("textarea[name=summary]", "总体服务规范")
    desk.click("[data-testid=publish-round] button[type=submit]")
    desk.wait_for_selector("text=已发布结果")
    desk.context.close()

    cache.clear()
    public = new_tab(browser, live_server, viewport=PHONE_VIEWPORT)
    public.goto("/gongshi/assessments/")
    results = public.locator("[data-testid=assessment-results]").inner_text()
    assert "90.0" in results
    assert public.evaluate("document.documentElement.scrollWidth") <= (
        PHONE_VIEWPORT["width"] + 1)
    public.screenshot(path="/tmp/assessment_public.png", full_page=True)
