"""The citizen pages reached only through an SMS code or a submitted rating, at a phone's
390 px and a desktop's 1280 px (issue 16): no sideways scrolling and no serious or
critical axe-core violation on

- the window QR's code step, the window's handling list after verification, its rating
  page and the thank-you page of a good rating;
- a bad review's thank-you page (reference, deadline) and the follow page it links to;
- the complaint filing form after verification, its receipt and the item's own page;
- a tracked item with its published answer, and the page after rating that answer;
- the evaluator pad's closing screens of a good and of a bad rating.

One test per width walks them all (a test per page would rebuild the database each time);
its failure lists every page and problem found.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from haochaping.accounts.keys import generate_key
from haochaping.complaints.tests.public_helpers import answered, file_item
from haochaping.evaluations.invitations import invitation_create
from haochaping.evaluations.models import Device, Evaluation
from haochaping.handlings.services import bump_pads
from haochaping.notify.models import OutboxMessage
from tests.browser.conftest import SPEECH_STUB, new_tab
from tests.browser_checks import layout_problems

pytestmark = pytest.mark.browser
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
PHONE = "13812341234"  # the factories' rater
FILER = "13912345678"
TRACKER = "13700001234"  # each walk its own phone: one code a minute per phone
CONTENT = "我在市场监管局窗口办理营业执照变更，窗口要求提供三次同样的材料，希望说明原因并改进。"


def _code() -> str:
    return str(OutboxMessage.objects.filter(template="sms_code").latest("pk").params["code"])


def _tab(browser: Any, live_server: Any, width: str) -> Any:
    phone = width == "phone"
    return new_tab(browser, live_server, viewport=WIDTHS[width], bypass_csp=True,
                   is_mobile=phone, has_touch=phone)


def _window_qr(tab: Any, scene: SimpleNamespace) -> list[str]:
    scene.handling(completed_at=timezone.now() - timedelta(hours=1))
    tab.goto(f"/q/w/{scene.loc.window.code}/start")
    tab.fill("input[name=phone]", PHONE)
    tab.click("button.submit")
    tab.wait_for_selector("input[name=code]")
    found = layout_problems(tab, "window QR: code step")
    tab.fill("input[name=code]", _code())
    with tab.expect_navigation():
        tab.click("button.submit")
    tab.wait_for_selector("ul.choices")
    found += layout_problems(tab, "window QR: handling list")
    tab.click("li[data-rated='0'] a")
    tab.wait_for_selector("form.rating")
    found += layout_problems(tab, "window QR: rating page")
    tab.click("label[for=r-lv5]")
    tab.click("button.submit")
    tab.wait_for_selector("#rate.ok")
    return found + layout_problems(tab, "window QR: good rating's thank-you page")


def _bad_review(tab: Any, scene: SimpleNamespace) -> list[str]:
    _, token = invitation_create(handling=scene.handling(), rater=scene.rater,
                                 channel="link", ttl=timedelta(days=7))
    tab.goto(f"/r/{token}")
    tab.click("label[for=r-lv1]")
    tab.locator("fieldset.lv-items:visible input[type=checkbox]").first.check()
    tab.click("button.submit")
    tab.wait_for_selector("[data-testid=bad-thanks]")
    found = layout_problems(tab, "bad review's thank-you page")
    tab.click("[data-testid=follow]")
    tab.wait_for_selector("[data-testid=follow-page]")
    return found + layout_problems(tab, "bad review's follow page")


def _verified(tab: Any, phone: str, name: str, then: str) -> list[str]:
    """Send the phone's code, check the code step, enter the code, wait for ``then``."""
    tab.fill("input[name=phone]", phone)
    tab.click("button.submit")
    tab.wait_for_selector("input[name=code]")
    found = layout_problems(tab, f"{name}: code step")
    tab.fill("input[name=code]", _code())
    tab.click("button.submit")
    tab.wait_for_selector(then)
    return found


def _filing(tab: Any) -> list[str]:
    tab.goto("/tousu/")
    found = _verified(tab, FILER, "filing", "textarea[name=content]")
    found += layout_problems(tab, "filing: form after verification")
    tab.click("label[for=k-complaint]")
    tab.fill("textarea[name=content]", CONTENT)
    tab.fill("input[name=name]", "王五")
    tab.click("label[for=r-sms]")
    tab.click("button.submit")
    tab.wait_for_selector("[data-ref]")
    found += layout_problems(tab, "filing: receipt")
    tab.click("text=查看办理进度")
    tab.wait_for_selector("#timeline")
    return found + layout_problems(tab, "filing: the item's page")


def _tracked_answer(tab: Any, world: SimpleNamespace) -> list[str]:
    item = answered(file_item(world.loc, phone=TRACKER), world.people.supervisor, world.loc)
    tab.goto("/tousu/track/")
    tab.fill("input[name=ref]", item.ref)
    found = _verified(tab, TRACKER, "tracking", "#answer")
    found += layout_problems(tab, "tracking: an answered item")
    tab.click("label[for=res-1]")
    tab.click("label[for=lv-5]")
    tab.click("#rate button.submit")
    tab.wait_for_selector("#rated")
    return found + layout_problems(tab, "tracking: the answer rated")


def _pad_thanks(browser: Any, live_server: Any, scene: SimpleNamespace,
                width: str) -> list[str]:
    key = generate_key()
    Device.objects.create(name="评价器", kind="evaluator", window=scene.loc.window,
                          key_prefix=key.prefix, key_hash=key.hash)
    pad = new_tab(browser, live_server, viewport=WIDTHS[width], bypass_csp=True)
    pad.add_init_script(SPEECH_STUB)
    pad.goto(f"/pad/?key={key.raw}")
    pad.wait_for_selector("[data-screen=idle]")
    found: list[str] = []
    for level, bad in (("5", "0"), ("1", "1")):
        h = scene.handling(completed_at=timezone.now())
        bump_pads([scene.loc.window.pk])
        pad.wait_for_selector("[data-screen=rating]", timeout=10_000)
        pad.click(f"label[for=pad-lv{level}]")
        if bad == "1":
            pad.locator(".pad-rating fieldset.lv-items:visible input[type=checkbox]"
                        ).first.check()
        pad.click("button.submit")
        pad.wait_for_selector(f"[data-screen=thanks][data-bad='{bad}']")
        found += layout_problems(pad, f"pad: closing screen of a level-{level} rating")
        assert Evaluation.objects.get(handling=h).level == int(level)
        if bad == "0":
            pad.wait_for_selector("[data-screen=idle]", timeout=10_000)  # after 3 s
    pad.context.close()
    return found


@pytest.mark.parametrize("width", list(WIDTHS))
def test_pages_behind_a_code_or_a_rating_fit_and_pass_axe(
        browser: Any, live_server: Any, scene: SimpleNamespace, personas: SimpleNamespace,
        width: str) -> None:
    world = SimpleNamespace(loc=scene.loc, people=personas)
    problems: list[str] = []
    for walk in (lambda t: _window_qr(t, scene), lambda t: _bad_review(t, scene),
                 _filing, lambda t: _tracked_answer(t, world)):
        tab = _tab(browser, live_server, width)  # each walk a fresh visitor
        problems += walk(tab)
        tab.context.close()
    problems += _pad_thanks(browser, live_server, scene, width)
    assert not problems, "\n".join(problems)
