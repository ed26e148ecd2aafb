"""Headless-Chromium walk of 发布预览 → 确认发布 of a typical case: the office sees the
salutation and the phone taken out of the department's reply, highlighted, edits the
text and confirms; the public page shows exactly that text and no personal data. On a
phone-width screen the preview does not overflow."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.rules.standards import Channel
from haochaping.core.engine.worker import drain
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.tests import factories as ef
from haochaping.workorders import services as s
from haochaping.workorders.models import WorkOrder
from tests.browser.conftest import PHONE_VIEWPORT, login

pytestmark = pytest.mark.browser
REPLY = f"李先生您好，已核实，回访电话{ef.PHONE}，已增开窗口，感谢监督。"


def test_office_previews_edits_and_confirms_a_typical_case(
        browser: Any, live_server: Any, scene: SimpleNamespace, personas: SimpleNamespace,
        settings: Any) -> None:
    settings.HCP_POLICY_PRESET = "xinxiang"  # QA by the office
    evaluation_submit(handling=scene.handling(), channel=Channel.WEB,
                      rating=RatingInput(1, reason_codes=["108"], text="等了很久"))
    drain()
    handler, office = actor_for_user(personas.handler), actor_for_user(personas.supervisor)
    order = s.workorder_sign(actor=handler, order=WorkOrder.objects.get())
    order = s.workorder_rectify(actor=handler, order=order, measures="增开窗口",
                                result="已整改到位")
    order = s.workorder_reply(actor=handler, order=order, text=REPLY)
    s.workorder_review(actor=office, order=order, passed=True)

    tab = login(browser, live_server, "supervisor", f"/work/orders/{order.pk}/",
                viewport=PHONE_VIEWPORT)
    other = tab.locator("[data-testid=other-actions]")  # 其他操作, folded below 下一步
    if other.count() and not other.evaluate("d => d.open"):
        other.locator("summary").click()
    tab.click("form[data-form=typical-preview] button[type=submit]")
    tab.wait_for_selector("[data-testid=typical-preview]")
    marks = tab.locator("[data-testid=preview-text] mark")
    assert marks.count() == 2
    assert marks.first.get_attribute("data-kind") == "salutation"
    assert tab.locator("[data-testid=preview-text] mark del").first.inner_text() == "李先生您好"
    text = tab.locator("[data-testid=preview-text]").inner_text()
    assert ef.PHONE not in text
    assert tab.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    tab.screenshot(path="/tmp/typical_preview.png", full_page=True)

    box = tab.locator("[data-testid=confirm-text]")
    assert box.input_value().endswith(
        "部门答复：\n您好，已核实，回访电话***，已增开窗口，感谢监督。")
    box.fill(box.input_value() + "\n（经管理机构审核公开）")
    tab.click("form[data-form=typical-confirm] button[type=submit]")
    tab.wait_for_selector("[data-testid=published]", state="attached")  # under 其他操作
    order.refresh_from_db()
    assert order.public_summary.endswith("（经管理机构审核公开）")

    tab.goto("/gongshi/anli/")
    page = tab.content()
    assert "经管理机构审核公开" in page
    for secret in ("李先生", ef.PHONE, "张三"):
        assert secret not in page
