"""Headless-Chromium check of office entry and the 监督员's page at phone width (issue 14)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.complaints.models import Submission
from tests import factories as testing
from tests.browser.conftest import PHONE_VIEWPORT, login, new_tab

pytestmark = pytest.mark.browser

NO_SIDEWAYS = "document.documentElement.scrollWidth <= window.innerWidth"


def test_office_enters_a_hotline_complaint_on_a_phone(
        browser: Any, live_server: Any, personas: SimpleNamespace,
        locality: SimpleNamespace, transactional_db: Any) -> None:
    tab = login(browser, live_server, "supervisor", "/work/complaints/entry/",
                viewport=PHONE_VIEWPORT)
    assert tab.evaluate(NO_SIDEWAYS)
    tab.select_option("select[name=channel]", "hotline")
    tab.select_option("select[name=kind]", "complaint")
    tab.fill("input[name=name]", "张建华")
    tab.fill("input[name=phone]", "13812345678")
    tab.select_option("select[name=org_id]", str(locality.market.pk))
    tab.wait_for_selector(f"select[name=matter_id] option[value='{locality.matter.pk}']",
                          state="attached")
    tab.select_option("select[name=matter_id]", str(locality.matter.pk))
    tab.fill("textarea[name=content]",
             "来电反映在市民服务中心办理营业执照变更时，窗口要求重复提交同样的材料。")
    tab.click("[data-testid=entry-form] button[type=submit]")
    tab.wait_for_selector("[data-testid=saved]")
    item = Submission.objects.get()
    assert tab.locator("[data-testid=ref]").inner_text() == item.ref
    assert (item.matter, item.channel) == (locality.matter, "hotline")
    assert "13812345678" not in tab.content()
    assert tab.evaluate(NO_SIDEWAYS)
    tab.context.close()


def test_monitor_lands_on_their_page_and_files_a_comment(
        browser: Any, live_server: Any, personas: SimpleNamespace,
        transactional_db: Any) -> None:
    tab = new_tab(browser, live_server, viewport=PHONE_VIEWPORT)
    tab.goto("/accounts/login/")
    tab.fill("input[name=username]", "monitor")
    tab.fill("input[name=password]", testing.STRONG_PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_url("**/work/complaints/mine/")
    tab.select_option("select[name=kind]", "comment")
    tab.fill("textarea[name=content]",
             "走访发现大厅午间只开放两个综合窗口，排队群众较多，建议错峰安排午休。")
    tab.click("[data-testid=monitor-form] button[type=submit]")
    tab.wait_for_selector("[data-testid=mine] [data-ref]")
    item = Submission.objects.get()
    assert tab.locator("[data-testid=mine] [data-ref]").get_attribute("data-ref") == item.ref
    assert "已提交" in tab.locator("ul.messages").inner_text()
    assert tab.evaluate(NO_SIDEWAYS)
    tab.context.close()
