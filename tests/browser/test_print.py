"""The print stylesheet (core/print.css) in headless Chromium (issue 16): a work order, the
statistics dashboard and the public ranking and case pages print as content only (no
navigation, forms or buttons), no wider than an A4 page's printable width, with table
headers repeated on each page; and each one makes a PDF of a sensible number of pages."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.catalog.rules.standards import Channel
from haochaping.core.engine.worker import drain
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.workorders.models import WorkOrder
from tests.browser.conftest import login, new_tab, publish_september
from tests.browser_checks import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser
# A4 is 210 mm wide; print.css leaves 12 mm margins each side: 186 mm at 96 px per inch.
A4_CONTENT = {"width": round(186 / 25.4 * 96), "height": 1000}
# What never belongs on paper; each is on the screen version of at least one page below.
SCREEN_ONLY = ["nav", "form", "button", ".pager", "[role=search]"]
_VISIBLE = """(selector) => Array.from(document.querySelectorAll(selector)).filter(
  e => getComputedStyle(e).display !== 'none' && e.getClientRects().length > 0).length"""
_HEADER_GROUPS = """() => Array.from(document.querySelectorAll('thead')).map(
  e => getComputedStyle(e).display)"""


def _pdf_pages(tab: Any) -> int:
    pdf = tab.pdf(format="A4", print_background=False)
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def _printed(tab: Any, name: str, must_show: str, max_pages: int) -> list[str]:
    """Problems of the page printed: screen-only parts shown, content gone, too wide, table
    headers not repeated, too many pages."""
    screen = {s: tab.evaluate(_VISIBLE, s) for s in SCREEN_ONLY}
    assert any(screen.values()), f"{name}: nothing screen-only to hide; the check is idle"
    tab.emulate_media(media="print")
    found = [f"{name}: {n} {s} still shown in print" for s in SCREEN_ONLY
             if (n := tab.evaluate(_VISIBLE, s))]
    if not tab.evaluate(_VISIBLE, must_show):
        found.append(f"{name}: {must_show} is not printed")
    try:
        assert_no_horizontal_scroll(tab)
    except AssertionError as exc:
        found.append(f"{name} in print: {exc}")
    found += [f"{name}: a table header prints as {d}, not once per page"
              for d in tab.evaluate(_HEADER_GROUPS) if d != "table-header-group"]
    pages = _pdf_pages(tab)
    if not 1 <= pages <= max_pages:
        found.append(f"{name}: {pages} A4 pages (at most {max_pages} expected)")
    tab.emulate_media(media="screen")
    return found


@pytest.fixture
def printable(scene: SimpleNamespace, personas: SimpleNamespace) -> WorkOrder:
    """A published September ranking and an open bad-review work order."""
    publish_september(scene.loc)
    evaluation_submit(handling=scene.handling(), channel=Channel.WEB,
                      rating=RatingInput(1, reason_codes=["108"], text="来回跑了三趟"))
    drain()  # the worker opens the work order
    return WorkOrder.objects.get()


def test_staff_pages_print_as_content(browser: Any, live_server: Any,
                                      printable: WorkOrder) -> None:
    problems: list[str] = []
    handler = login(browser, live_server, "handler", f"/work/orders/{printable.pk}/",
                    viewport=A4_CONTENT)
    handler.wait_for_selector("form[data-form=sign]")
    problems += _printed(handler, "work order", "[data-testid=order-number]", 3)
    handler.context.close()
    office = login(browser, live_server, "supervisor", "/work/stats/", viewport=A4_CONTENT)
    problems += _printed(office, "dashboard", "main h1, main h2", 12)
    office.context.close()
    assert not problems, "\n".join(problems)


def test_public_pages_print_as_content(browser: Any, live_server: Any,
                                       printable: WorkOrder) -> None:
    tab = new_tab(browser, live_server, viewport=A4_CONTENT)
    problems: list[str] = []
    for url, must_show, max_pages in (
            ("/gongshi/paiming/?period=month&at=2026-09", "table", 6),
            ("/gongshi/anli/", "main h1", 3)):
        tab.goto(url)
        problems += _printed(tab, url, must_show, max_pages)
    assert not problems, "\n".join(problems)
