"""Headless-Chromium walk of 社情民意 (issue 15): the dashboard loads its hot-words panel
for its own period, and the panel opens the page with each department's words; both fit a
phone."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from haochaping.catalog.rules.standards import Channel
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from tests.browser.conftest import login

pytestmark = pytest.mark.browser
TEXTS = ("排队时间太长，取号系统故障", "排队两个小时，窗口太少", "材料没有一次性告知，跑了两趟",
         "材料要求没有一次性告知", "排队太久，希望增加窗口")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_dashboard_panel_opens_the_hot_words_page(
        browser: Any, live_server: Any, scene: SimpleNamespace, personas: SimpleNamespace,
        width: int) -> None:
    for text in TEXTS:
        evaluation_submit(handling=scene.handling(), channel=Channel.WEB,
                          rating=RatingInput(2, reason_codes=["108"], text=text))
    call_command("stats_rebuild", stdout=None)
    today = timezone.localdate()
    span = f"start={today.replace(day=1)}&end={today}"
    tab = login(browser, live_server, "supervisor", "/work/stats/",
                {"width": width, "height": 900})
    tab.goto(f"/work/stats/?period=month&{span}")
    panel = tab.locator("[data-testid=opinion-panel]")
    panel.wait_for()
    words = panel.locator("[data-testid=hot-words] .word").all_inner_texts()
    assert words[0] == "排队"  # in 3 of the 5 texts
    assert "一次性" in words
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    panel.locator("[data-testid=opinion-more]").click()
    tab.wait_for_url("**/work/stats/opinion/**")
    table = tab.locator("[data-testid=opinion-table]").inner_text()
    assert "排队" in table
    assert tab.locator("[data-testid=opinion-orgs]").inner_text().count("排队") == 1
    for text in TEXTS:
        assert text not in tab.content()  # words only, never what a rater wrote
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
