"""Headless-Chromium walk of the work-order screens: a handler works a bad review from
the workbench to the reply, the supervising office passes QA in the console."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from haochaping.catalog.rules.standards import Channel
from haochaping.core.engine.worker import drain
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.tests import factories as ef
from haochaping.notify.models import RelayBinding
from haochaping.workorders.models import WorkOrder
from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_handler_works_the_order_and_the_office_passes_qa(
        browser: Any, live_server: Any, scene: SimpleNamespace, personas: SimpleNamespace,
        settings: Any) -> None:
    settings.HCP_POLICY_PRESET = "haiyang"  # call-back required (003 §18), QA (003 §5)
    for text in ("多次被要求补充材料", "窗口人员态度生硬"):
        evaluation_submit(handling=scene.handling(), channel=Channel.WEB,
                          rating=RatingInput(1, reason_codes=["108"], text=text))
    drain()  # the worker opens the work orders
    personas.handler.phone = "13900001111"  # the relay binds the handler's own mobile
    personas.handler.save(update_fields=["phone"])
    order = WorkOrder.objects.order_by("pk").first()
    assert order is not None

    tab = login(browser, live_server, "handler", "/work/orders/")
    tab.wait_for_function(
        "() => document.querySelector('time.countdown').textContent.startsWith('剩余')")
    assert tab.locator("tr[data-order]").count() == 2
    tab.screenshot(path="/tmp/workorder_workbench.png", full_page=True)

    tab.click(f"tr[data-order='{order.pk}'] a")
    tab.wait_for_url(f"**/work/orders/{order.pk}/")
    assert ef.PHONE not in tab.content()
    tab.click("form[data-form=sign] button[type=submit]")
    tab.wait_for_selector("form[data-form=callback]")
    assert tab.locator("[data-testid=status]").inner_text() == "办理中"

    # Issue 17: the call-back goes through the privacy-number relay; no reveal offered.
    assert tab.locator("[data-testid=reveal]").count() == 0
    tab.click("[data-testid=relay]")
    tab.wait_for_selector("[data-testid=virtual-number]")
    assert ef.PHONE not in tab.content()
    # The handler dials the virtual number (the fake's call record, ten minutes ago).
    RelayBinding.objects.update(created_at=timezone.now() - timedelta(minutes=10))
    tab.select_option("form[data-form=callback] select[name=method]", "relay")
    tab.fill("form[data-form=callback] textarea[name=summary]", "已通过隐私号联系评价人，说明情况")
    tab.click("form[data-form=callback] button[type=submit]")
    tab.wait_for_selector("[data-testid=records] >> text=已联系上")
    assert tab.locator("[data-testid=relay-call]").count() == 1
    assert ef.PHONE not in tab.content()

    tab.fill("form[data-form=rectify] textarea[name=measures]", "制作一次性告知清单")
    tab.fill("form[data-form=rectify] textarea[name=result]", "已为评价人重新办理")
    tab.set_input_files("form[data-form=rectify] input[type=file]", files=[
        {"name": "告知清单.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}])
    tab.click("form[data-form=rectify] button[type=submit]")
    tab.wait_for_selector("form[data-form=reply]")
    assert "告知清单.pdf" in tab.locator("[data-testid=records]").inner_text()
    tab.fill("form[data-form=reply] textarea[name=text]", "已一次性告知所需材料，感谢监督")
    tab.click("form[data-form=reply] button[type=submit]")
    tab.wait_for_selector("[data-testid=status] >> text=已反馈待质检")
    tab.context.close()

    office = login(browser, live_server, "supervisor", "/work/orders/console/")
    office.click("[data-tab=qa]")
    office.wait_for_selector("[data-testid=console-qa]")
    assert office.locator("[data-testid=count-qa]").inner_text() == "1"
    office.screenshot(path="/tmp/workorder_console.png", full_page=True)
    office.click(f"tr[data-order='{order.pk}'] button[value='1']")
    office.wait_for_selector("[data-testid=done]")
    assert office.locator("[data-testid=count-qa]").inner_text() == "0"
    office.goto(f"/work/orders/{order.pk}/")
    assert office.locator("[data-testid=status]").inner_text() == "已办结"
    office.context.close()
    order.refresh_from_db()
    assert order.status == "closed"
