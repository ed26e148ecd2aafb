"""Headless-Chromium check of the evaluator pad in long-poll mode (``HCP_PAD_WAIT_URL``):
``pad.js`` holds ``/pad/wait`` on padwait and switches to the rating screen within two
seconds of a completion. The browser's ``/pad/wait`` is routed to padwait on its own port,
as the reverse proxy does in production."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from haochaping.accounts.keys import generate_key
from haochaping.evaluations.models import Device
from haochaping.evaluations.padwait import PadWaitServer
from tests.browser.conftest import PAD_VIEWPORT, SPEECH_STUB, new_tab

pytestmark = pytest.mark.browser


@pytest.fixture
def padwait() -> Iterator[str]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = PadWaitServer(hold=4.0)
    port = asyncio.run_coroutine_threadsafe(server.start("127.0.0.1", 0), loop).result(10)
    yield f"http://127.0.0.1:{port}"
    asyncio.run_coroutine_threadsafe(server.stop(), loop).result(15)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()


def test_pad_long_polls_and_switches(browser: Any, live_server: Any, scene: SimpleNamespace,
                                     padwait: str, settings: Any) -> None:
    settings.HCP_PAD_WAIT_URL = "/pad/wait"
    key = generate_key()
    Device.objects.create(name="评价器", kind="evaluator", window=scene.loc.window,
                          key_prefix=key.prefix, key_hash=key.hash)
    tab = new_tab(browser, live_server, viewport=PAD_VIEWPORT)
    tab.add_init_script(SPEECH_STUB)
    waits: list[int] = []

    def to_padwait(route: Any) -> None:
        query = route.request.url.split("?", 1)[1]
        response = route.fetch(url=f"{padwait}/pad/wait?{query}", timeout=20_000)
        waits.append(response.status)
        route.fulfill(response=response)

    tab.route("**/pad/wait?*", to_padwait)
    tab.goto(f"/pad/?key={key.raw}")
    tab.wait_for_selector("[data-screen=idle][data-wait-url]")
    tab.wait_for_timeout(5_000)  # one held poll answered 204 and asked again
    assert waits == [204]

    scene.handling(completed_at=timezone.now())
    started = time.monotonic()
    tab.wait_for_selector("[data-screen=rating]", timeout=5_000)
    assert time.monotonic() - started < 2.0
    assert waits == [204, 200]
    assert scene.loc.matter.name in tab.inner_text("#pad")
    assert tab.evaluate("window.__spoken") == ["请您对本次服务进行评价"]
    tab.context.close()
