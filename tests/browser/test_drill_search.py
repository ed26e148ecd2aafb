"""The drill-down's search box and sort toggle on a phone (issue 16): searching a 办件编号
through the form finds its row, the phone layout at 390 px never scrolls sideways, and
the search and sort survive a reload of the address."""

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
from tests.browser_checks import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def test_a_drill_down_searches_and_sorts_on_a_phone(
        browser: Any, live_server: Any, scene: SimpleNamespace,
        personas: SimpleNamespace) -> None:
    handlings = [scene.handling() for _ in range(3)]
    for handling in handlings:
        evaluation_submit(handling=handling, channel=Channel.WEB,
                          rating=RatingInput(5, reason_codes=[], text=""))
    call_command("stats_rebuild", stdout=None)
    today = timezone.localdate()
    period = f"period=month&start={today.replace(day=1)}&end={today}"

    tab = login(browser, live_server, "supervisor", "/work/stats/", PHONE)
    for url in (f"/work/stats/drill/?figure=real_ratings&{period}",
                f"/work/stats/drill/handlings/?figure=completed&{period}"):
        tab.goto(url)
        assert tab.locator("[data-testid=drill-search]").is_visible()
        assert_no_horizontal_scroll(tab)
        if "figure=real_ratings" in url:  # ratings also sort by level (差评在前)
            tab.click("[data-testid=sort-worst]")
            tab.wait_for_url(lambda url: "sort=level" in url)
            assert tab.locator("[data-testid=drill-sort] strong").inner_text() == "差评在前"
            assert tab.locator("tr[data-evaluation]").count() == 3
            assert_no_horizontal_scroll(tab)
    wanted = handlings[1].proj_no
    tab.fill("[data-testid=drill-search] input[name=q]", wanted)
    tab.click("[data-testid=drill-search] button[type=submit]")
    tab.wait_for_url(lambda url: "q=" in url)
    assert tab.locator("[data-testid=drill-found]").inner_text() == "1"
    assert tab.locator(f"tr[data-handling='{handlings[1].pk}']").count() == 1
    assert tab.locator("[data-testid=export-hidden]").is_visible()
    assert_no_horizontal_scroll(tab)
    tab.click("[data-testid=sort-oldest]")
    tab.wait_for_url(lambda url: "sort=time" in url)
    assert "由旧到新" in tab.locator("[data-testid=drill-sort] strong").inner_text()
    assert tab.locator("[data-testid=drill-found]").inner_text() == "1"
    assert_no_horizontal_scroll(tab)
    tab.screenshot(path="/tmp/stats_drill_search_390.png", full_page=True)
