"""Headless-Chromium walk of export approval on a phone-width screen: the department's
export of ratings answers that approval is needed, the handler files a request with a
purpose, the office approves it under 导出审批, the handler downloads it once from
我的导出申请. No page overflows the phone's width."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.catalog.rules.standards import Channel
from haochaping.core.localtime import SHANGHAI
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.stats.models import ExportApproval
from tests.browser.conftest import PHONE_VIEWPORT, login

pytestmark = pytest.mark.browser
FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def test_request_approve_and_download_once_on_a_phone(
        browser: Any, live_server: Any, scene: SimpleNamespace,
        personas: SimpleNamespace) -> None:
    [rating] = evaluation_submit(handling=scene.handling(), channel=Channel.WEB,
                                 rating=RatingInput(1, reason_codes=["108"], text="等了很久"))
    day = rating.created_at.astimezone(SHANGHAI).date().isoformat()
    drill = f"/work/stats/drill/?figure=bad_reviews&start={day}&end={day}"

    tab = login(browser, live_server, "handler", "/work/stats/exports/requests/",
                viewport=PHONE_VIEWPORT)
    tab.goto(drill)
    assert "须经政务服务管理机构审批" in tab.locator(
        "[data-testid=export-approval-note]").inner_text()
    tab.click("[data-testid=export-drill] a[data-format=xlsx]")
    tab.wait_for_selector("[data-testid=export-needed]")
    assert "export.approval_required" in tab.locator("[data-testid=error]").inner_text()
    assert tab.evaluate(FITS)
    tab.fill("form[data-form=export-request] textarea[name=purpose]", "核查差评整改情况")
    tab.click("form[data-form=export-request] button[type=submit]")
    tab.wait_for_selector("[data-testid=filed]")
    row = ExportApproval.objects.get()
    assert tab.locator(f"tr[data-request='{row.pk}']").get_attribute("data-state") == "pending"
    assert tab.evaluate(FITS)

    office = login(browser, live_server, "supervisor", "/work/stats/exports/approvals/",
                   viewport=PHONE_VIEWPORT)
    pending = office.locator(f"[data-testid=pending] tr[data-request='{row.pk}']")
    assert "核查差评整改情况" in pending.inner_text()
    assert office.evaluate(FITS)
    office.screenshot(path="/tmp/export_approvals.png", full_page=True)
    pending.locator("input[name=note]").fill("同意，仅限整改分析")
    pending.locator("button[value='1']").click()
    office.wait_for_selector("[data-testid=decided]")
    assert office.locator("[data-testid=no-pending]").count() == 1

    tab.goto("/work/stats/exports/requests/")
    with tab.expect_download() as download:
        tab.click("[data-testid=download]")
    assert download.value.suggested_filename.endswith(".xlsx")
    tab.reload()
    assert tab.locator(f"tr[data-request='{row.pk}']").get_attribute("data-state") == "used"
    assert tab.locator("[data-testid=download]").count() == 0
