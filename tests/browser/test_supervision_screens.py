"""Headless-Chromium walk of 核查抽查 (issue 15): the office plans last days' spot
check, draws it with a seed, records a fake fix with a photo (the order is reopened) and
re-runs the draw; the department's handler cannot open the plan before its 通报."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.rules.calendar import SHANGHAI
from haochaping.catalog.rules.standards import Channel
from haochaping.core.engine.worker import drain
from haochaping.core.localtime import local_day
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.supervision.models import CheckItem, CheckPlan
from haochaping.supervision.tests.conftest import close_order
from haochaping.workorders.models import WorkOrder
from tests.browser.conftest import login

pytestmark = pytest.mark.browser
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_office_draws_checks_and_reopens_a_fake_fix(
        browser: Any, live_server: Any, scene: SimpleNamespace,
        personas: SimpleNamespace) -> None:
    today = local_day(timezone.now())
    rated = datetime.combine(today - timedelta(days=3), time(10), tzinfo=SHANGHAI)
    with time_machine.travel(rated, tick=False):
        for n, level in enumerate([5, 5, 4, 1]):
            evaluation_submit(handling=scene.handling(completed_at=rated - timedelta(hours=1)),
                              channel=Channel.WEB if n % 2 else Channel.EVALUATOR,
                              rating=RatingInput(level, reason_codes=["108"] if level == 1
                                                 else [], text="多次被要求补充材料"
                                                 if level == 1 else ""))
        drain()  # the worker opens the bad review's work order
        order = close_order(WorkOrder.objects.get(), actor_for_user(personas.handler),
                            actor_for_user(personas.supervisor))

    office = login(browser, live_server, "supervisor", "/work/supervision/")
    violations: list[str] = []
    office.on("console", lambda m: violations.append(m.text)
              if "Content Security Policy" in m.text else None)
    office.fill("input[name=title]", "近期核查抽查")
    office.fill("input[name=start]", (today - timedelta(days=5)).isoformat())
    office.fill("input[name=end]", (today - timedelta(days=1)).isoformat())
    office.fill("input[name=rate_good]", "50")
    office.fill("input[name=rate_order]", "100")
    office.click("[data-testid=plan-form] button[type=submit]")
    office.wait_for_selector("[data-testid=draw-form]")
    plan = CheckPlan.objects.get()
    office.fill("input[name=seed]", "web1")
    office.click("[data-testid=draw-form] button[type=submit]")
    office.wait_for_selector("[data-testid=draw]")
    assert "web1" in office.locator("[data-testid=draw]").inner_text()
    item = CheckItem.objects.get(order=order)
    row = f"tr[data-item='{item.pk}']"
    office.select_option(f"{row} select[name=method]", "on_site")
    office.select_option(f"{row} select[name=finding]", "false_report")
    office.fill(f"{row} textarea[name=note]", "实地察看，告知清单并未张贴")
    office.set_input_files(f"{row} input[name=evidence]", files=[
        {"name": "现场照片.png", "mimeType": "image/png", "buffer": PNG}])
    office.click(f"{row} button[type=submit]")
    office.wait_for_selector(f"{row} >> text=工单已退回重新整改")
    assert "现场照片.png" in office.locator(row).inner_text()
    assert WorkOrder.objects.get(pk=order.pk).status == "returned"
    office.click("text=复核抽样")
    office.wait_for_selector("[data-testid=replay]")
    assert "一致" in office.locator("[data-testid=replay]").inner_text()
    assert office.locator("[data-testid=by-org] [data-testid=verification]").inner_text() == (
        "0.0%")
    office.screenshot(path="/tmp/supervision_plan.png", full_page=True)
    office.goto(f"/work/supervision/plans/{plan.pk}/bulletin/")
    assert "未发布稿" in office.locator("[data-testid=draft]").inner_text()
    assert violations == []
    office.context.close()

    handler = login(browser, live_server, "handler", "/")
    response = handler.goto(f"/work/supervision/plans/{plan.pk}/")
    assert response is not None
    assert response.status == 404
    assert "尚未发布通报" in handler.content()
    handler.goto("/work/supervision/")
    assert "近期核查抽查" not in handler.content()
    handler.context.close()
