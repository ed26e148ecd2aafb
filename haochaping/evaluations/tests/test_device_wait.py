"""A third-party device long-polls ``haochaping padwait`` with the wait token of its signed
``/api/v1/devices/pending``: a completion at its window wakes it, the pending call then
presents the handling; a forged or expired token is refused. Against the test database
(``transaction=True`` so the service's own connection sees the rows)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from django.core import signing
from django.test import override_settings
from django.utils import timezone

from haochaping.evaluations.devices.waiting import WAIT_HEADER, WAIT_SALT
from haochaping.evaluations.padwait import PadWaitServer
from haochaping.evaluations.tests.device_support import SignedDevice, register

pytestmark = pytest.mark.django_db(transaction=True)

HOLD = 4.0


@pytest.fixture
def service() -> Iterator[str]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = PadWaitServer(hold=HOLD)
    port = asyncio.run_coroutine_threadsafe(server.start("127.0.0.1", 0), loop).result(10)
    yield f"http://127.0.0.1:{port}"
    asyncio.run_coroutine_threadsafe(server.stop(), loop).result(15)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()


def wait(base: str, version: str, token: str | None) -> tuple[int, dict[str, str], float]:
    request = urllib.request.Request(f"{base}/pad/wait?v={version}")
    if token is not None:
        request.add_header(WAIT_HEADER, token)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=HOLD + 10) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    return status, json.loads(raw) if raw else {}, time.monotonic() - started


@override_settings(HCP_PAD_WAIT_URL="/pad/wait")
def test_a_completion_wakes_the_device(service: str, world: SimpleNamespace) -> None:
    pad: SignedDevice = register(world.people.supervisor, world.loc.window)
    idle = pad.send("GET", "/api/v1/devices/pending").json()
    assert idle["handling"] is None
    token = idle["wait"]["token"]
    with ThreadPoolExecutor(max_workers=1) as pool:
        waiting = pool.submit(wait, service, idle["version"], token)
        time.sleep(1.0)
        assert not waiting.done()
        handling = world.handling(completed_at=timezone.now())
        done = time.monotonic()
        status, body, _ = waiting.result(timeout=HOLD + 5)
        woke_after = time.monotonic() - done
    assert status == 200
    assert woke_after < 2.0
    pending = pad.send("GET", "/api/v1/devices/pending").json()
    assert pending["version"] == body["v"]
    assert pending["handling"]["handling_id"] == handling.pk


@pytest.mark.parametrize("kind", ["none", "garbage", "other_salt", "expired"])
def test_a_bad_wait_token_is_refused(service: str, world: SimpleNamespace, kind: str,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    pad = register(world.people.supervisor, world.loc.window)
    claim = f"{pad.device.pk}:{pad.device.window_id}:evaluator:{pad.device.key_hash[:16]}"
    if kind == "expired":
        monkeypatch.setattr(time, "time", lambda: 1_000_000_000.0)
        token: str | None = signing.TimestampSigner(salt=WAIT_SALT).sign(claim)
        monkeypatch.undo()
    else:
        token = {"none": None, "garbage": "1:1:evaluator:x:y",
                 "other_salt": signing.TimestampSigner(salt="other").sign(claim)}[kind]
    status, body, took = wait(service, "0", token)
    assert (status, body["code"]) == (401, "device.unbound")
    assert took < 1.0
