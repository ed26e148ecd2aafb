"""Headless-Chromium walk of 防刷评 (issue 15): a rating from a staff member's registered
phone seconds after completion is flagged by the scan; the office opens the review queue,
reads the signal's explanation and confirms the fraud with a deduction; the department's
handler cannot open the queue."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.rules.standards import Channel
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.tests.factories import PHONE
from haochaping.integrity.models import Review
from haochaping.integrity.services import scan, staff_phone_add
from tests.browser.conftest import login, new_tab

pytestmark = pytest.mark.browser


def test_office_reviews_a_flagged_rating(browser: Any, live_server: Any, scene: SimpleNamespace,
                                         personas: SimpleNamespace) -> None:
    now = timezone.now()
    staff_phone_add(actor=actor_for_user(personas.supervisor), staff_no=scene.loc.staff.staff_no,
                    phone=PHONE, now=now)
    [rating] = evaluation_submit(handling=scene.handling(completed_at=now - timedelta(seconds=40)),
                                 rating=RatingInput(5), channel=Channel.QR_CODE, now=now)
    scan(now=now + timedelta(seconds=1))

    office = login(browser, live_server, "supervisor", "/work/integrity/")
    queue = office.locator("[data-testid=queue]").inner_text()
    assert "办结即评且关联工作人员" in queue
    assert "1" in office.locator("[data-testid=signal-counts]").inner_text()
    office.click(f"a[href='/work/integrity/ratings/{rating.pk}/']")
    office.wait_for_selector("[data-testid=flags]")
    flags = office.locator("[data-testid=flags]").inner_text()
    assert "本部门工作人员" in flags
    assert PHONE not in office.content()
    office.select_option("select[name=decision]", "confirmed")
    office.fill("textarea[name=note]", "调取视频监控，确认工作人员用本人手机评价")
    office.click("[data-testid=decide-form] button[type=submit]")  # no deduction yet
    office.wait_for_selector("p.error")
    assert "扣分" in office.locator("p.error").inner_text()
    office.fill("input[name=deduction]", "3")
    office.click("[data-testid=decide-form] button[type=submit]")
    office.wait_for_url("**/work/integrity/")
    assert "认定刷评" in office.locator("[data-testid=decided]").inner_text()
    assert "暂无待核查" in office.locator("[data-testid=queue]").inner_text()
    office.screenshot(path="/tmp/integrity_queue.png", full_page=True)
    review = Review.objects.get()
    assert (review.decision, str(review.deduction)) == ("confirmed", "3.00")

    handler = new_tab(browser, live_server)
    handler.goto("/accounts/login/?next=/work/integrity/")
    handler.fill("input[name=username]", "handler")
    from tests import factories as testing

    handler.fill("input[name=password]", testing.STRONG_PASSWORD)
    handler.click("button[type=submit]")
    handler.wait_for_selector("[data-code='forbidden.role']")
    assert "办结即评" not in handler.content()
