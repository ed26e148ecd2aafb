"""Every public and citizen page at a phone's 390 px and a desktop's 1280 px (issue 16):
no sideways scrolling, and no serious or critical axe-core violation.

One test per width walks every page (a page per test would rebuild the database each
time); its failure lists every page and problem found. axe-core is injected from npm's
``node_modules`` (tests/browser_checks.py), so the tab bypasses the site's CSP.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from haochaping.accounts.keys import generate_key
from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.rules.standards import Channel
from haochaping.core.engine.worker import drain
from haochaping.evaluations.invitations import invitation_create
from haochaping.evaluations.models import Device
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.handlings.services import bump_pads
from haochaping.workorders import services as wo
from haochaping.workorders.models import WorkOrder
from tests.browser.conftest import SPEECH_STUB, new_tab, publish_september
from tests.browser_checks import layout_problems

pytestmark = pytest.mark.browser
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
PUBLIC = ["/", "/gongshi/", "/gongshi/shouye/", "/gongshi/paiming/?period=month&at=2026-09",
          "/gongshi/zhenggai/?period=month&at=2026-09", "/gongshi/anli/",
          "/gongshi/koujing/"]
CITIZEN_STATIC = ["/tousu/", "/tousu/track/", "/yinsi/"]


@pytest.fixture
def site(scene: SimpleNamespace, personas: SimpleNamespace) -> SimpleNamespace:
    """A published September, an invitation, a replied bad review, a pad and a kiosk."""
    loc = scene.loc
    publish_september(loc)
    _, token = invitation_create(handling=scene.handling(), rater=scene.rater,
                                 channel="link", ttl=timezone.timedelta(days=7))
    [bad] = evaluation_submit(handling=scene.handling(), channel=Channel.WEB,
                              rating=RatingInput(1, reason_codes=["108"], text="来回跑了三趟"))
    drain()  # the worker opens the bad review's work order
    handler = actor_for_user(personas.handler)
    order = wo.workorder_sign(actor=handler, order=WorkOrder.objects.get(evaluation=bad))
    order = wo.workorder_callback(actor=handler, order=order, method="phone", reached=True,
                                  summary="已联系")
    order = wo.workorder_rectify(actor=handler, order=order, measures="一次性告知所需材料",
                                 result="已重新办理")
    order = wo.workorder_reply(actor=handler, order=order, text="已核实并整改，感谢监督。")
    keys = {}
    for kind in ("evaluator", "kiosk"):
        key = generate_key()
        Device.objects.create(name=f"{kind} 1", kind=kind, window=loc.window,
                              key_prefix=key.prefix, key_hash=key.hash)
        keys[kind] = key.raw
    cache.clear()
    citizen = [f"/r/{token}", f"/q/w/{loc.window.code}", f"/q/w/{loc.window.code}/start",
               f"/workorders/reply/{order.public_id}", *CITIZEN_STATIC]
    return SimpleNamespace(scene=scene, pages=PUBLIC + citizen, keys=keys)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_public_and_citizen_page_fits_and_passes_axe(
        browser: Any, live_server: Any, site: SimpleNamespace, width: str) -> None:
    tab = new_tab(browser, live_server, viewport=WIDTHS[width], bypass_csp=True,
                  is_mobile=width == "phone", has_touch=width == "phone")
    problems: list[str] = []
    for url in site.pages:
        response = tab.goto(url)
        assert response is not None
        assert response.status == 200, url
        problems += layout_problems(tab, url)
    for kind, raw in site.keys.items():  # the pad and the kiosk: idle, then rating
        pad = new_tab(browser, live_server, viewport=WIDTHS[width], bypass_csp=True)
        pad.add_init_script(SPEECH_STUB)
        pad.goto(f"/pad/?key={raw}")
        pad.wait_for_selector("[data-screen=idle]")
        problems += layout_problems(pad, f"{kind} idle")
        site.scene.handling(completed_at=timezone.now())
        bump_pads([site.scene.loc.window.pk])
        pad.wait_for_selector("[data-screen=rating]", timeout=10_000)
        problems += layout_problems(pad, f"{kind} rating")
        pad.context.close()
    assert not problems, "\n".join(problems)
