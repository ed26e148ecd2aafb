"""Headless Chromium through the citizen pages of issue 16, at phone width (390 px) and
at 1280 px, never wider than the screen: the 差评 thank-you page with its reference,
deadline and follow link; the rater's reply page (progress, real buttons, 不满意 asks why
and goes back to the office); one checklist and a really large 大字版; the window-QR flow
(not nested in itself, rated handlings marked, the resend countdown); the evaluator pad
(kiosk-sized, the submit button in view, the closing words of a 差评, a pending rating
that survives the network going away and a reload); refusals without bare codes."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from haochaping.accounts.keys import generate_key
from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.rules.standards import Channel
from haochaping.core.engine.worker import drain
from haochaping.evaluations.invitations import invitation_create
from haochaping.evaluations.models import Device, Evaluation
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.handlings.services import bump_pads
from haochaping.notify.models import OutboxMessage
from haochaping.workorders import services as wo
from haochaping.workorders.models import WorkOrder
from tests.browser.conftest import PAD_VIEWPORT, PHONE_VIEWPORT, SPEECH_STUB, new_tab

pytestmark = pytest.mark.browser

WIDE = {"width": 1280, "height": 900}
WIDTHS = [pytest.param(PHONE_VIEWPORT, id="390"), pytest.param(WIDE, id="1280")]
PHONE = "13812341234"  # the factories' rater
REFERENCE = re.compile(r"^CP\d{8}-\d{6}$")


def fits(tab: Any) -> None:
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        tab.evaluate("document.documentElement.scrollWidth"), tab.url)


def tab_at(browser: Any, live_server: Any, viewport: dict[str, int], **kw: Any) -> Any:
    phone = viewport["width"] < 600
    return new_tab(browser, live_server, viewport=viewport, is_mobile=phone,
                   has_touch=phone, **kw)


def invite(scene: SimpleNamespace, **kw: Any) -> tuple[Any, str]:
    h = scene.handling(**kw)
    _, token = invitation_create(handling=h, rater=scene.rater, channel="link",
                                 ttl=timedelta(days=7))
    return h, f"/r/{token}"


@pytest.mark.parametrize("viewport", WIDTHS)
def test_a_bad_review_gets_a_reference_a_deadline_and_a_link(
        browser: Any, live_server: Any, scene: SimpleNamespace,
        viewport: dict[str, int]) -> None:
    h, url = invite(scene)
    tab = tab_at(browser, live_server, viewport)
    tab.goto(url)
    fits(tab)
    tab.click("label[for=r-lv1]")
    # one checklist: the level's reasons, not the items and the reasons again
    assert tab.locator("fieldset.lv-items:visible").count() == 1
    assert tab.locator("input[type=checkbox]:visible").count() <= 4  # 3 + 更多
    tab.locator("fieldset.lv-items:visible input[type=checkbox]").first.check()
    fits(tab)
    tab.click("button.submit")
    tab.wait_for_selector("[data-testid=bad-thanks]")
    fits(tab)
    reference = tab.inner_text("[data-testid=reference]").strip()
    assert REFERENCE.match(reference)
    assert "年" in tab.inner_text("[data-testid=due]")
    assert "感谢您的好评" not in tab.inner_text("body")
    row = Evaluation.objects.get(handling=h)
    assert row.level == 1
    assert row.reason_codes
    assert row.content_codes == []  # the reasons once, not the items again
    tab.click("[data-testid=follow]")
    tab.wait_for_selector("[data-testid=follow-page]")  # the order is still being opened
    assert reference in tab.inner_text("body")
    fits(tab)
    drain()  # the worker opens the work order
    tab.reload()
    tab.wait_for_selector("#wo-reply")
    assert "/workorders/reply/" in tab.url
    assert tab.inner_text("[data-testid=reference]").strip() == reference
    assert tab.locator("ol.stepper li").count() == 4
    fits(tab)
    tab.context.close()


def closed_order(scene: SimpleNamespace, personas: SimpleNamespace) -> WorkOrder:
    h = scene.handling()
    evaluation_submit(handling=h, rating=RatingInput(1, reason_codes=["108"]),
                      channel=Channel.WEB)
    drain()
    handler = actor_for_user(personas.handler)
    order = WorkOrder.objects.get(handling=h)
    order = wo.workorder_sign(actor=handler, order=order)
    order = wo.workorder_rectify(actor=handler, order=order, measures="一次性告知",
                                 result="已重新办理")
    order = wo.workorder_reply(actor=handler, order=order, text="已一次性告知所需材料并致歉")
    assert order.status == "closed"
    return order


@pytest.mark.parametrize("viewport", WIDTHS)
def test_not_satisfied_asks_why_and_goes_back_to_the_office(
        browser: Any, live_server: Any, scene: SimpleNamespace, personas: SimpleNamespace,
        settings: Any, viewport: dict[str, int]) -> None:
    settings.HCP_POLICY_PRESET = "zhengdong"  # no QA: the reply closes the order
    order = closed_order(scene, personas)
    tab = tab_at(browser, live_server, viewport)
    tab.goto(f"/workorders/reply/{order.public_id}")
    fits(tab)
    assert "已办结" in tab.inner_text("ol.stepper")
    for button in tab.locator("button.choice-btn").all():
        box = button.bounding_box()
        assert box is not None
        assert box["height"] >= 44
        assert box["width"] >= 44
    tab.click("button.choice-btn.bad")
    tab.wait_for_selector("[data-testid=dissent-form]")
    order.refresh_from_db()
    assert order.satisfied is None  # asking why records nothing
    fits(tab)
    tab.fill("textarea[name=reason]", "材料清单仍然没有更新，窗口还是要求重复提交")
    tab.click("[data-testid=dissent-form] button.submit")
    tab.wait_for_selector("[data-satisfied='0']")
    assert "退回政务服务管理机构复核" in tab.inner_text("body")
    fits(tab)
    order.refresh_from_db()
    assert (order.status, order.satisfied) == ("replied", False)
    tab.context.close()


def test_large_text_is_really_large_and_easy_to_leave(browser: Any, live_server: Any,
                                                      scene: SimpleNamespace) -> None:
    _, url = invite(scene)
    tab = tab_at(browser, live_server, PHONE_VIEWPORT)
    tab.goto(url)
    size = "parseFloat(getComputedStyle(document.documentElement).fontSize)"
    normal_text = tab.evaluate(size)
    normal_button = tab.locator("label.lv-btn").first.bounding_box()["height"]
    normal_toggle = tab.locator(".big-toggle").bounding_box()["height"]
    assert normal_toggle >= 44
    with tab.expect_navigation():
        tab.click("[data-testid=big-on]")
    assert tab.evaluate(size) >= 1.5 * normal_text
    assert tab.locator("label.lv-btn").first.bounding_box()["height"] >= 1.5 * normal_button - 1
    fits(tab)
    tab.click("label[for=r-lv1]")
    fits(tab)
    with tab.expect_navigation():  # one tap, in the header, says what it does
        tab.click("text=退出大字版")
    assert tab.evaluate(size) == normal_text
    tab.context.close()


@pytest.mark.parametrize("viewport", WIDTHS)
def test_window_qr_flow_marks_rated_handlings_and_counts_down(
        browser: Any, live_server: Any, scene: SimpleNamespace,
        viewport: dict[str, int]) -> None:
    rated = scene.handling(completed_at=timezone.now() - timedelta(days=2))
    evaluation_submit(handling=rated, rating=RatingInput(5), channel=Channel.WEB)
    open_one = scene.handling(completed_at=timezone.now() - timedelta(hours=1))
    code = scene.loc.window.code
    tab = tab_at(browser, live_server, viewport)
    tab.goto(f"/q/w/{code}/start")
    fits(tab)
    tab.fill("input[name=phone]", PHONE)
    tab.click("button.submit")
    tab.wait_for_selector("input[name=code]")
    resend = tab.locator("button[data-countdown]")
    assert resend.is_disabled()
    assert "秒后可重新获取" in resend.inner_text()
    fits(tab)
    sms = str(OutboxMessage.objects.filter(template="sms_code").latest("pk").params["code"])
    tab.fill("input[name=code]", sms)
    with tab.expect_navigation():
        tab.click("button.submit")
    tab.wait_for_selector("ul.choices")
    assert tab.locator("header.bar").count() == 1  # the list is a page, not nested
    assert tab.locator("ul.choices li[data-rated='1']").count() == 1
    assert "已评价" in tab.inner_text("li[data-rated='1']")
    assert "去评价" in tab.inner_text("li[data-rated='0']")
    fits(tab)
    tab.click("li[data-rated='0'] a")
    tab.wait_for_selector("form.rating")
    assert str(open_one.pk) in tab.url
    fits(tab)
    tab.context.close()


@pytest.mark.parametrize("viewport", WIDTHS)
def test_refusals_say_what_to_do_not_a_code(browser: Any, live_server: Any,
                                            scene: SimpleNamespace,
                                            viewport: dict[str, int]) -> None:
    h = scene.handling()
    invitation, token = invitation_create(handling=h, rater=scene.rater, channel="link",
                                          ttl=timedelta(days=7))
    evaluation_submit(handling=h, rating=RatingInput(5), channel=Channel.WEB,
                      invitation=invitation)
    tab = tab_at(browser, live_server, viewport)
    tab.goto(f"/r/{token}")
    text = tab.inner_text("body")
    assert tab.get_attribute("[role=alert]", "data-code") == "invitation.used"
    assert "invitation.used" not in text
    assert "错误代码" not in text
    assert "无需再次提交" in text
    fits(tab)
    tab.context.close()


def provision(scene: SimpleNamespace, browser: Any, live_server: Any,
              viewport: dict[str, int]) -> Any:
    key = generate_key()
    Device.objects.create(name="评价器", kind="evaluator", window=scene.loc.window,
                          key_prefix=key.prefix, key_hash=key.hash)
    tab = new_tab(browser, live_server, viewport=viewport)
    tab.add_init_script(SPEECH_STUB)
    tab.goto(f"/pad/?key={key.raw}")
    tab.wait_for_selector("[data-screen=idle]")
    return tab


def present(scene: SimpleNamespace, tab: Any) -> Any:
    h = scene.handling(completed_at=timezone.now())
    bump_pads([scene.loc.window.pk])
    tab.wait_for_selector("[data-screen=rating]", timeout=8_000)
    return h


@pytest.mark.parametrize("viewport", [pytest.param(PHONE_VIEWPORT, id="390"),
                                      pytest.param(PAD_VIEWPORT, id="1280")])
def test_pad_is_kiosk_sized_and_keeps_the_submit_button_in_view(
        browser: Any, live_server: Any, scene: SimpleNamespace,
        viewport: dict[str, int]) -> None:
    tab = provision(scene, browser, live_server, viewport)
    h = present(scene, tab)
    tab.click("label[for=pad-lv1]")
    targets = [*tab.locator(".pad-rating label.lv-btn").all(),
               *tab.locator(".pad-rating fieldset.lv-items:visible label.check:visible").all(),
               tab.locator(".pad-rating button.submit")]
    for target in targets:
        box = target.bounding_box()
        assert box is not None
        assert box["height"] >= 64, target.inner_text()
    submit = tab.locator(".pad-rating button.submit").bounding_box()
    assert submit["y"] + submit["height"] <= viewport["height"]  # sticky: always in view
    fits(tab)
    tab.locator(".pad-rating fieldset.lv-items:visible input[type=checkbox]").first.check()
    tab.click("button.submit")
    tab.wait_for_selector("[data-screen=thanks][data-bad='1']")
    text = tab.inner_text("#pad")
    assert "您的意见已受理" in text
    assert "感谢您的好评" not in text
    assert REFERENCE.match(tab.inner_text("[data-testid=reference]").strip())
    assert Evaluation.objects.get(handling=h).level == 1
    tab.context.close()


def test_pad_keeps_a_pending_rating_across_offline_and_a_reload(
        browser: Any, live_server: Any, scene: SimpleNamespace) -> None:
    tab = provision(scene, browser, live_server, PAD_VIEWPORT)
    h = present(scene, tab)
    tab.click("label[for=pad-lv4]")
    tab.context.set_offline(True)
    tab.click("button.submit")
    tab.wait_for_selector("#pad-pending")
    assert "网络" in tab.inner_text("#pad-pending")
    assert tab.evaluate("localStorage.getItem('hcp.pad.pending') !== null")
    assert not Evaluation.objects.filter(handling=h).exists()
    # Back online, but the rating request still cannot get through; then a reload.
    tab.route("**/pad/rate", lambda route: route.abort())
    tab.context.set_offline(False)
    tab.reload()
    tab.wait_for_selector("#pad-pending")  # the reloaded page found it and retries
    assert tab.evaluate("localStorage.getItem('hcp.pad.pending') !== null")
    assert not Evaluation.objects.filter(handling=h).exists()
    tab.unroute("**/pad/rate")
    tab.wait_for_selector("[data-screen=thanks]", timeout=40_000)
    assert tab.evaluate("localStorage.getItem('hcp.pad.pending') === null")
    row = Evaluation.objects.get(handling=h)
    assert (row.level, row.channel) == (4, "evaluator")
    tab.context.close()
