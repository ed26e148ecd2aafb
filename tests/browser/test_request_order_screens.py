"""Headless-Chromium walk of a request order at phone width (issue 14): the handler writes
the four-element reply, the department head approves it (审阅), the office passes QA."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.accounts.scoping import actor_for_user
from haochaping.workorders.models import WorkOrder
from haochaping.workorders.services.requests import workorder_open_request
from tests.browser.conftest import login

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
PARTS = {"investigation": "调取窗口监控核实", "process": "约谈窗口负责人并致歉",
         "measures": "修订一次性告知单", "result": "投诉人已办结业务"}


def _fits(tab: Any) -> bool:
    return bool(tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_reply_approval_and_qa_at_phone_width(browser: Any, live_server: Any,
                                              scene: SimpleNamespace, personas: SimpleNamespace,
                                              settings: Any) -> None:
    settings.HCP_POLICY_PRESET = "xinxiang"  # head approval and QA (seed 004 §6(二))
    order = workorder_open_request(actor=actor_for_user(personas.supervisor), kind="complaint",
                                   org=scene.loc.market, text="窗口未一次性告知所需材料",
                                   source="12345热线", urgent=True)
    url = f"/work/orders/{order.pk}/"

    tab = login(browser, live_server, "handler", "/work/orders/", viewport=PHONE)
    assert tab.locator(f"tr[data-order='{order.pk}'] .badge-urgent").count() == 1
    tab.goto(url)
    assert _fits(tab)
    tab.click("form[data-form=sign] button[type=submit]")
    tab.wait_for_selector("form[data-form=reply] [data-part=investigation]")
    for key, value in PARTS.items():
        if key != "result":
            tab.fill(f"form[data-form=reply] textarea[name={key}]", value)
    # The browser itself refuses the form without the fourth element (required).
    tab.click("form[data-form=reply] button[type=submit]")
    assert WorkOrder.objects.get(pk=order.pk).status == "signed"
    tab.fill("form[data-form=reply] textarea[name=result]", PARTS["result"])
    tab.click("form[data-form=reply] button[type=submit]")
    tab.wait_for_selector("[data-testid=status] >> text=待部门审阅")
    assert _fits(tab)
    tab.screenshot(path="/tmp/request_order_phone.png", full_page=True)

    head = login(browser, live_server, "head", url, viewport=PHONE)
    assert PARTS["measures"] in head.locator("[data-testid=reply-parts]").inner_text()
    head.click("form[data-form=head_review] button[value='1']")
    head.wait_for_selector("[data-testid=status] >> text=已反馈待质检")
    assert _fits(head)

    office = login(browser, live_server, "supervisor", "/work/orders/console/?tab=qa",
                   viewport=PHONE)
    office.click("[data-testid=qa-parts] summary")
    assert PARTS["process"] in office.locator("[data-testid=qa-parts]").inner_text()
    office.click(f"tr[data-order='{order.pk}'] button[value='1']")
    office.wait_for_selector("[data-testid=done]")
    assert WorkOrder.objects.get(pk=order.pk).status == "closed"
