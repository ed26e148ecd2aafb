"""Headless-Chromium check of the phone-invitation screens (电话邀约, seed 004 §11)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.catalog.models import PolicyOverride
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.tests import factories as ef
from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_supervisor_reveals_the_phone_and_records_a_rating(
        browser: Any, live_server: Any, scene: SimpleNamespace,
        personas: SimpleNamespace) -> None:
    PolicyOverride.objects.create(org=None, key="phone_invitation", value=True)
    handling = scene.handling()
    tab = login(browser, live_server, "supervisor", "/work/phone/")
    assert tab.locator("td.mono").first.inner_text() == handling.proj_no
    assert ef.PHONE not in tab.content()

    tab.click("text=电话邀约 >> nth=-1")
    tab.click("text=查看完整手机号")
    tab.wait_for_selector("p.reveal")
    assert ef.PHONE in tab.locator("p.reveal").inner_text()

    tab.click("label.lv-4")
    tab.click("button.submit")
    tab.wait_for_url("**/work/phone/")
    assert "已录入办件" in tab.locator("ul.messages").inner_text()
    row = Evaluation.objects.get(handling=handling)
    assert (row.channel, row.level) == ("phone", 4)
    tab.context.close()
