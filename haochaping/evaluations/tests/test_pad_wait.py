"""The pad wait service (``haochaping padwait``): idle pads long-poll it, it answers within
two seconds of a completion at the window, holds an unchanged window, refuses a missing or
forged device cookie, and stops cleanly on SIGTERM. Runs against the test database
(``transaction=True`` so the service's own connection sees the rows)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core import signing
from django.test import Client, override_settings
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.evaluations.models import Device
from haochaping.evaluations.padwait import PadWaitServer
from haochaping.evaluations.public import PAD_COOKIE, pad_wait_versions
from haochaping.evaluations.services import device_create
from haochaping.evaluations.tests.factories import snapshot
from tests.factories import make_window

pytestmark = pytest.mark.django_db(transaction=True)

HOLD = 4.0
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def service() -> Iterator[str]:
    """padwait on an ephemeral port, in its own thread and event loop."""
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


@pytest.fixture
def pad(world: SimpleNamespace) -> SimpleNamespace:
    device, key = device_create(actor=actor_for_user(world.people.admin),
                                window=world.loc.window, kind="evaluator", name="1号窗口评价器")
    client = Client()
    assert client.get("/pad/", {"key": key}).status_code == 302
    return SimpleNamespace(device=device, client=client,
                           cookie=client.cookies[PAD_COOKIE].value)


def poll(base: str, version: str, cookie: str | None) -> tuple[int, dict[str, str], float]:
    """One long-poll: (status, JSON body or {}, seconds it took)."""
    request = urllib.request.Request(f"{base}/pad/wait?v={version}")
    if cookie is not None:
        request.add_header("Cookie", f"{PAD_COOKIE}={cookie}")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=HOLD + 10) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    return status, json.loads(raw) if raw else {}, time.monotonic() - started


def idle_version(client: Client) -> str:
    html = client.get("/pad/").content.decode()
    assert 'data-wait-url="/pad/wait"' in html
    assert "hx-trigger" not in html.split('data-screen="idle"', 1)[1].split(">", 1)[0]
    return html.split('data-version="', 1)[1].split('"', 1)[0]


@override_settings(HCP_PAD_WAIT_URL="/pad/wait")
def test_completion_wakes_the_pad_within_two_seconds(service: str, pad: SimpleNamespace,
                                                     world: SimpleNamespace) -> None:
    version = idle_version(pad.client)
    assert version == "0"
    with ThreadPoolExecutor(max_workers=1) as pool:
        waiting: Future[tuple[int, dict[str, str], float]] = pool.submit(
            poll, service, version, pad.cookie)
        time.sleep(1.0)  # the poll is held meanwhile
        assert not waiting.done()
        handling = world.handling(completed_at=timezone.now())
        completed = time.monotonic()
        status, body, _ = waiting.result(timeout=HOLD + 5)
        woke_after = time.monotonic() - completed
    assert status == 200
    assert woke_after < 2.0
    assert body["v"] == pad_wait_versions([world.loc.window.pk])[world.loc.window.pk]
    assert body["v"] != version
    screen = pad.client.get("/pad/state", {"v": version}).content.decode()
    assert 'data-screen="rating"' in screen
    assert f'name="handling" value="{handling.pk}"' in screen
    assert pad.client.get("/pad/state", {"v": body["v"]}).status_code == 204


@override_settings(HCP_PAD_WAIT_URL="/pad/wait")
def test_unchanged_window_is_held(service: str, pad: SimpleNamespace,
                                  world: SimpleNamespace) -> None:
    version = idle_version(pad.client)
    with ThreadPoolExecutor(max_workers=1) as pool:
        waiting = pool.submit(poll, service, version, pad.cookie)
        time.sleep(0.5)
        other = make_window(world.loc.hall, world.loc.market, number="99")
        world.handling(completed_at=timezone.now(), window=other)  # not this pad's window
        world.handling(completed_at=timezone.now() - timedelta(hours=2))  # not "just now"
        status, body, took = waiting.result(timeout=HOLD + 5)
    assert (status, body) == (204, {})
    assert took >= HOLD - 0.2


def test_a_moved_version_answers_at_once(service: str, pad: SimpleNamespace,
                                         world: SimpleNamespace) -> None:
    world.handling(completed_at=timezone.now())
    current = pad_wait_versions([world.loc.window.pk])[world.loc.window.pk]
    status, body, took = poll(service, "0", pad.cookie)  # first refresh within a second
    assert (status, body["v"]) == (200, current)
    assert took < 2.0


@pytest.mark.parametrize("cookie", [None, "", "1:1:evaluator:abcdef", "garbage:sig"])
def test_missing_or_forged_cookie_is_refused(service: str, pad: SimpleNamespace,
                                            cookie: str | None) -> None:
    before = (snapshot(), list(Device.objects.values_list("pk", "last_seen_at")))
    status, body, took = poll(service, "0", cookie)
    assert status == 401
    assert body["code"] == "device.unbound"
    assert took < 1.0
    assert (snapshot(), list(Device.objects.values_list("pk", "last_seen_at"))) == before


def test_cookie_signed_with_another_salt_is_refused(service: str, pad: SimpleNamespace) -> None:
    forged = signing.get_cookie_signer(salt=PAD_COOKIE + "other").sign(
        f"{pad.device.pk}:{pad.device.window_id}:evaluator:{pad.device.key_hash[:16]}")
    status, body, _ = poll(service, "0", forged)
    assert (status, body["code"]) == (401, "device.unbound")


def test_versions_follow_the_pending_handlings(world: SimpleNamespace) -> None:
    window = world.loc.window.pk
    assert pad_wait_versions([window, 999_999]) == {window: "0", 999_999: "0"}
    world.handling(completed_at=timezone.now() - timedelta(hours=1))
    assert pad_wait_versions([window])[window] == "0"
    first = world.handling(completed_at=timezone.now())
    one = pad_wait_versions([window])[window]
    assert one.startswith(f"1-{first.pk}-")
    world.handling(completed_at=timezone.now())
    two = pad_wait_versions([window])[window]
    assert two.startswith("2-")
    assert two != one


@override_settings(HCP_PAD_WAIT_URL="/pad/wait")
def test_state_compares_the_wait_version(pad: SimpleNamespace, world: SimpleNamespace) -> None:
    assert pad.client.get("/pad/state", {"v": "0"}).status_code == 204
    world.handling(completed_at=timezone.now())
    html = pad.client.get("/pad/state", {"v": "0"}).content.decode()
    assert 'data-screen="rating"' in html


def test_sigterm_releases_held_polls_and_exits(pad: SimpleNamespace) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "haochaping.settings"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "haochaping.cli", "padwait", "--port", "0", "--refresh", "60"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("padwait listening on 127.0.0.1:")
        base = f"http://127.0.0.1:{line.rsplit(':', 1)[1].strip()}"
        with ThreadPoolExecutor(max_workers=1) as pool:
            waiting = pool.submit(poll, base, "0", pad.cookie)
            time.sleep(0.5)
            proc.send_signal(signal.SIGTERM)
            status, _, took = waiting.result(timeout=10)
        assert status == 204
        assert took < 5.0
        assert proc.wait(timeout=10) == 0
        assert "padwait stopped" in proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
