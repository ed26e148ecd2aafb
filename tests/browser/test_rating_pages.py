"""Headless-Chromium checks of the public rating pages: the mobile invitation page (with
and without JavaScript, large text) and the evaluator pad (Debian's /usr/bin/chromium)."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from haochaping.accounts.keys import generate_key
from haochaping.evaluations.invitations import invitation_create
from haochaping.evaluations.models import Device, Evaluation
from haochaping.handlings.services import bump_pads
from tests.browser.conftest import PAD_VIEWPORT, PHONE_VIEWPORT, SPEECH_STUB, new_tab

pytestmark = pytest.mark.browser

# For a person to look at; not committed.
MOBILE_SHOT = Path("/tmp/hcp_rate_mobile.png")
PAD_SHOT = Path("/tmp/hcp_pad_rating.png")


def _invite(scene: SimpleNamespace) -> tuple[Any, str]:
    h = scene.handling()
    _, token = invitation_create(handling=h, rater=scene.rater, channel="link",
                                 ttl=timedelta(days=7))
    return h, f"/r/{token}"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_mobile_page_rates_a_handling(browser: Any, live_server: Any, scene: SimpleNamespace,
                                      javascript: bool) -> None:
    h, url = _invite(scene)
    tab = new_tab(browser, live_server, viewport=PHONE_VIEWPORT, is_mobile=True,
               has_touch=True, java_script_enabled=javascript)
    tab.goto(url)
    assert "张*" in tab.inner_text("body")
    five = tab.locator('.lv-items[data-level="5"]')
    assert not five.is_visible()
    tab.click("label[for=r-lv5]")
    assert five.is_visible()  # CSS :has shows the chosen level's items, no script needed
    assert not tab.locator(".bad-reasons").first.is_visible()
    tab.check("input[name=content][value='510']")
    tab.click('.lv-items[data-level="5"] summary')
    tab.check("input[name=content][value='517']")
    if javascript:
        tab.screenshot(path=str(MOBILE_SHOT), full_page=True)
    tab.click("button.submit")
    tab.wait_for_selector("text=感谢您的评价")
    row = Evaluation.objects.get(handling=h)
    assert (row.level, row.channel, row.content_codes) == (5, "web", ["510", "517"])
    tab.context.close()


def test_mobile_page_bad_rating_needs_a_reason(browser: Any, live_server: Any,
                                               scene: SimpleNamespace) -> None:
    h, url = _invite(scene)
    tab = new_tab(browser, live_server, viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True)
    tab.goto(url)
    tab.click("label[for=r-lv1]")
    assert tab.locator('.bad-reasons[data-level="1"]').is_visible()
    tab.click("button.submit")
    tab.wait_for_selector("[data-code='evaluation.reason_required']")
    assert tab.url.endswith(url)  # htmx swapped the form in place
    assert not Evaluation.objects.filter(handling=h).exists()
    tab.click("label[for=r-lv1]")
    tab.fill("textarea[name=text]", "窗口人员让我来回跑了三趟")
    tab.click("button.submit")
    tab.wait_for_selector("text=您的意见已受理")
    assert Evaluation.objects.get(handling=h).level == 1
    tab.context.close()


def test_large_text_toggle(browser: Any, live_server: Any, scene: SimpleNamespace) -> None:
    _, url = _invite(scene)
    tab = new_tab(browser, live_server, viewport=PHONE_VIEWPORT, java_script_enabled=False)
    tab.goto(url)
    size = "getComputedStyle(document.documentElement).fontSize"
    assert tab.evaluate(size) == "16px"
    with tab.expect_navigation():  # a plain link: the page reloads in the new size
        tab.click("text=大字版")
    assert tab.evaluate(size) == "24px"  # 1.5×
    tab.goto(url)  # remembered in a cookie
    assert tab.get_attribute("html", "class") == "big"
    with tab.expect_navigation():
        tab.click("text=退出大字版")
    assert tab.evaluate(size) == "16px"
    tab.context.close()


def test_pad_switches_to_rating_and_back(browser: Any, live_server: Any,
                                         scene: SimpleNamespace) -> None:
    key = generate_key()
    Device.objects.create(name="评价器", kind="evaluator", window=scene.loc.window,
                          key_prefix=key.prefix, key_hash=key.hash)
    tab = new_tab(browser, live_server, viewport=PAD_VIEWPORT)
    tab.add_init_script(SPEECH_STUB)
    tab.goto(f"/pad/?key={key.raw}")
    assert tab.url.endswith("/pad/")  # the key does not stay in the address bar
    tab.wait_for_selector("[data-screen=idle]")
    assert scene.loc.staff.name in tab.inner_text("#pad")
    tab.wait_for_timeout(1600)  # at least one unchanged poll (204) first

    h = scene.handling(completed_at=timezone.now())
    bump_pads([scene.loc.window.pk])
    started = time.monotonic()
    tab.wait_for_selector("[data-screen=rating]", timeout=5_000)
    assert time.monotonic() - started < 2.0
    text = tab.inner_text("#pad")
    assert scene.loc.matter.name in text
    assert scene.loc.staff.staff_no in text
    assert tab.evaluate("window.__spoken") == ["请您对本次服务进行评价"]
    tab.click("label[for=pad-lv4]")
    tab.screenshot(path=str(PAD_SHOT))
    tab.click("button.submit")
    tab.wait_for_selector("[data-screen=thanks]")
    tab.wait_for_selector("[data-screen=idle]", timeout=6_000)
    row = Evaluation.objects.get(handling=h)
    assert (row.level, row.channel, row.device_id) == (4, "evaluator",
                                                        Device.objects.get().pk)
    tab.context.close()
