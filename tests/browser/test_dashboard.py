"""Headless-Chromium walk of the statistics dashboard: the supervising office opens it,
every ECharts chart draws on its canvas, a number opens its drill-down with the same
count."""

from __future__ import annotations

import struct
import zlib
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command

from haochaping.catalog.rules.standards import Channel
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from tests.browser.conftest import login

pytestmark = pytest.mark.browser
VIEWPORT = {"width": 1400, "height": 1000}


def this_month() -> str:
    """The dashboard of the current month so far (it opens on the last whole months by
    default; the ratings here are today's)."""
    from django.utils import timezone

    today = timezone.localdate()
    return f"/work/stats/?period=month&start={today.replace(day=1)}&end={today}"
CHARTS = ("trend", "levels", "channels", "matters", "windows", "participation")
RATINGS = [(5, Channel.WEB), (5, Channel.APP), (4, Channel.EVALUATOR), (3, Channel.SMS),
           (2, Channel.WEB), (1, Channel.EVALUATOR), (1, Channel.APP), (4, Channel.QR_CODE)]


def png_colours(data: bytes) -> int:
    """Distinct RGB colours of an 8-bit RGB/RGBA PNG (what Chromium's screenshots are)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    channels = 4
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, _, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8
            assert colour in (2, 6)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride = zlib.decompress(idat), width * channels
    previous, colours = bytearray(stride), set()
    for start in range(0, len(raw), stride + 1):
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                guess = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + guess) & 0xFF
        colours.update(bytes(line[i:i + 3]) for i in range(0, stride, channels))
        previous = line
    return len(colours)


def test_supervisor_sees_charts_and_drills_into_a_number(
        browser: Any, live_server: Any, scene: SimpleNamespace,
        personas: SimpleNamespace) -> None:
    for level, channel in RATINGS:
        evaluation_submit(handling=scene.handling(), channel=channel,
                          rating=RatingInput(level, reason_codes=["108"] if level <= 2 else [],
                                             text="办理时间过长" if level <= 2 else ""))
    call_command("stats_rebuild", stdout=None)

    tab = login(browser, live_server, "supervisor", "/work/stats/", VIEWPORT)
    tab.goto(this_month())
    tab.wait_for_function("() => typeof echarts !== 'undefined' && "
                          "!!echarts.getInstanceByDom(document.querySelector('[data-chart]'))")
    for name in CHARTS:
        el = f"[data-chart={name}]"
        assert tab.locator(f"{el} canvas").count() >= 1, name
        series = tab.evaluate(
            f"echarts.getInstanceByDom(document.querySelector('{el}')).getOption()"
            ".series.length")
        assert series >= 1, name
    tab.wait_for_timeout(1200)  # let the entry animations finish before the pictures
    drawn = tab.evaluate("""() => [...document.querySelectorAll('[data-chart] canvas')]
        .map(c => { const blank = document.createElement('canvas');
                    blank.width = c.width; blank.height = c.height;
                    return c.toDataURL() !== blank.toDataURL(); })""")
    assert len(drawn) >= len(CHARTS)
    assert all(drawn)
    tab.screenshot(path="/tmp/stats_dashboard.png", full_page=True)
    trend = tab.locator("[data-chart=trend]").screenshot(path="/tmp/stats_trend.png")
    assert png_colours(trend) > 20  # bars, line, axes and labels, not a blank box

    bad = tab.locator("[data-testid=kpi-bad_reviews]")
    count = int(bad.inner_text())
    assert count == 3
    bad.click()
    tab.wait_for_url("**/work/stats/drill/**")
    assert int(tab.locator("[data-testid=drill-total]").inner_text()) == count
    assert tab.locator("tr[data-evaluation]").count() == count
    assert "张三" not in tab.content()
    tab.screenshot(path="/tmp/stats_drill.png", full_page=True)


def test_overdue_and_participation_numbers_open_their_lists(
        browser: Any, live_server: Any, scene: SimpleNamespace,
        personas: SimpleNamespace) -> None:
    """The overdue number opens the work orders it counts (not the office's console, so a
    department handler gets there too); a participation count opens its handlings."""
    from datetime import timedelta

    from django.utils import timezone

    from haochaping.core.engine.worker import drain
    from haochaping.workorders.models import WorkOrder

    for level, channel in RATINGS:
        evaluation_submit(handling=scene.handling(), channel=channel,
                          rating=RatingInput(level, reason_codes=["108"] if level <= 2 else [],
                                             text="办理时间过长" if level <= 2 else ""))
    scene.handling()  # completed, never rated
    drain()  # the worker opens the bad reviews' work orders
    orders = list(WorkOrder.objects.order_by("pk"))
    assert len(orders) == 3
    WorkOrder.objects.filter(pk__in=[o.pk for o in orders[:2]]).update(
        rectify_due_at=timezone.now() - timedelta(hours=1))
    call_command("stats_rebuild", stdout=None)

    for who in ("supervisor", "handler"):
        tab = login(browser, live_server, who, "/work/stats/", VIEWPORT)
        tab.goto(this_month())
        overdue = tab.locator("[data-testid=kpi-overdue]")
        assert int(overdue.inner_text()) == 2
        overdue.click()
        tab.wait_for_url("**/work/stats/drill/orders/**")
        assert int(tab.locator("[data-testid=drill-total]").inner_text()) == 2
        assert tab.locator("tr[data-order-row]").count() == 2
        assert tab.locator("tr[data-order-row] a[data-order]").count() == 2
        assert "张三" not in tab.content()
        tab.screenshot(path=f"/tmp/stats_drill_overdue_{who}.png", full_page=True)

        tab.go_back()
        tab.wait_for_url(lambda url: "/work/stats/?" in url and "/drill/" not in url)
        completed = tab.locator("[data-testid=participation-completed]").first
        count = int(completed.inner_text())
        assert count == len(RATINGS) + 1
        completed.click()
        tab.wait_for_url("**/work/stats/drill/handlings/**")
        assert int(tab.locator("[data-testid=drill-total]").inner_text()) == count
        assert tab.locator("tr[data-handling]").count() == count
        tab.locator("[data-figure=unrated]").click()
        tab.wait_for_url(lambda url: "figure=unrated" in url)
        assert int(tab.locator("[data-testid=drill-total]").inner_text()) == 1
        assert tab.locator("tr[data-handling]").count() == 1
        tab.screenshot(path=f"/tmp/stats_drill_handlings_{who}.png", full_page=True)
