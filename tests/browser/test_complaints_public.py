"""Headless Chromium at phone width (390×844): filing a complaint on /tousu/ with the SMS
code read from the notify outbox, picking the subject from the catalog search, then
following it on the tracking page and rating the published answer."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from haochaping.complaints.models import Submission
from haochaping.notify.models import OutboxMessage
from tests.browser.conftest import PHONE_VIEWPORT, new_tab

pytestmark = pytest.mark.browser

PHONE = "13812341234"
CONTENT = "我在市场监管局窗口办理营业执照变更，窗口要求提供三次同样的材料，希望说明原因并改进。"
SHOT = Path("/tmp/hcp_tousu_mobile.png")  # for a person to look at; not committed


def _code() -> str:
    return str(OutboxMessage.objects.filter(template="sms_code").latest("pk").params["code"])


def _fits(tab: Any) -> None:
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"], f"page is {width}px wide at phone width"


@pytest.fixture
def world(locality: SimpleNamespace, personas: SimpleNamespace,
          transactional_db: Any) -> SimpleNamespace:
    cache.clear()
    return SimpleNamespace(loc=locality, people=personas)


def test_file_and_track_at_phone_width(browser: Any, live_server: Any,
                                       world: SimpleNamespace) -> None:
    tab = new_tab(browser, live_server, viewport=PHONE_VIEWPORT, is_mobile=True,
                  has_touch=True)
    tab.goto("/tousu/")
    _fits(tab)
    tab.fill("input[name=phone]", PHONE)
    tab.click("button.submit")
    tab.wait_for_selector("input[name=code]")
    tab.fill("input[name=code]", _code())
    tab.click("button.submit")
    tab.wait_for_selector("textarea[name=content]")
    tab.click("label[for=k-complaint]")
    tab.fill("input[name=subject_q]", "市场监督")
    tab.locator(f"input[name=subject][value='org:{world.loc.market.code}']").check()
    tab.fill("textarea[name=content]", CONTENT)
    tab.fill("input[name=name]", "李四")
    tab.click("label[for=r-sms]")
    _fits(tab)
    tab.screenshot(path=str(SHOT), full_page=True)
    tab.click("button.submit")
    tab.wait_for_selector("[data-ref]")
    ref = tab.get_attribute("[data-ref]", "data-ref")
    item = Submission.objects.get(ref=ref)
    # routed to the market department at intake (complaints.services.dispatch)
    assert (item.channel, item.org, item.status) == ("web", world.loc.market, "dispatched")
    assert "15 个工作日内" in tab.inner_text("body")
    _fits(tab)
    # The receipt's link opens the item: the phone was verified a moment ago.
    tab.click("text=查看办理进度")
    tab.wait_for_selector("#timeline")
    assert "办理中" in tab.inner_text(".status")
    assert "已收到" in tab.inner_text("#timeline")
    _fits(tab)


def test_track_from_scratch_and_rate_the_answer(browser: Any, live_server: Any,
                                                world: SimpleNamespace) -> None:
    from haochaping.complaints.tests.public_helpers import ANSWER, answered, file_item

    item = answered(file_item(world.loc, phone=PHONE), world.people.supervisor, world.loc)
    tab = new_tab(browser, live_server, viewport=PHONE_VIEWPORT, is_mobile=True,
                  has_touch=True)
    tab.goto("/tousu/track/")
    tab.fill("input[name=ref]", item.ref)
    tab.fill("input[name=phone]", PHONE)
    tab.click("button.submit")
    tab.wait_for_selector("input[name=code]")
    tab.fill("input[name=code]", _code())
    tab.click("button.submit")
    tab.wait_for_selector("#answer")
    assert ANSWER in tab.inner_text("#answer")
    _fits(tab)
    tab.click("label[for=res-1]")
    tab.click("label[for=lv-5]")
    tab.click("#rate button.submit")
    tab.wait_for_selector("#rated")
    item.refresh_from_db()
    assert (item.status, item.resolved, item.answer_level) == ("closed", True, 5)
    assert item.answer_rated_at is not None
    assert item.answer_rated_at <= timezone.now()
