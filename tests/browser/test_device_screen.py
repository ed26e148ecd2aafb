"""Headless-Chromium check of the office's device screen (评价设备, docs/devices.md): the
offline device flagged, a four-key pad registered with its key shown once and the list
refreshed in place, the offline filter, re-keying after the confirmation."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.evaluations.devices.sealing import open_device_key
from haochaping.evaluations.models import Device
from haochaping.evaluations.services import device_create
from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_the_office_sees_offline_devices_and_registers_a_four_key_pad(
        browser: Any, live_server: Any, scene: SimpleNamespace,
        personas: SimpleNamespace) -> None:
    actor = actor_for_user(personas.supervisor)
    online, _ = device_create(actor=actor, window=scene.loc.window, kind="evaluator",
                              name="在线评价器")
    Device.objects.filter(pk=online.pk).update(last_seen_at=timezone.now())
    quiet, _ = device_create(actor=actor, window=scene.loc.window, kind="kiosk",
                             name="掉线自助终端")
    Device.objects.filter(pk=quiet.pk).update(last_seen_at=timezone.now() - timedelta(hours=3))

    tab = login(browser, live_server, "supervisor", "/work/devices/")
    assert tab.get_by_test_id("offline-count").inner_text() == "1"
    first = tab.locator("[data-testid=devices] tbody tr").first
    assert "掉线自助终端" in first.inner_text()
    assert first.locator("[data-status=offline]").inner_text() == "离线"

    form = tab.get_by_test_id("register")
    form.locator("select[name=kind]").select_option("four_key")
    form.locator("input[name=name]").fill("1号窗口四键评价器")
    form.locator("button[type=submit]").click()
    tab.get_by_test_id("device-key").wait_for()
    device = Device.objects.get(name="1号窗口四键评价器")
    assert device.kind == "four_key"
    assert tab.get_by_test_id("device-key").inner_text() == open_device_key(device.key_sealed)
    assert tab.get_by_test_id("key-id").inner_text() == device.key_prefix
    # the list refreshed in place: the new pad, never seen, is offline too
    tab.wait_for_function(
        "() => document.querySelector('[data-testid=offline-count]').textContent === '2'")
    assert "1号窗口四键评价器" in tab.get_by_test_id("devices").inner_text()
    assert "只显示这一次" in tab.get_by_test_id("device-result").inner_text()

    tab.get_by_test_id("only-offline").click()
    tab.wait_for_url("**/work/devices/?offline=1")
    listed = tab.get_by_test_id("devices").inner_text()
    assert "掉线自助终端" in listed
    assert "在线评价器" not in listed
    assert "key" not in tab.url

    old_prefix = quiet.key_prefix
    tab.on("dialog", lambda dialog: dialog.accept())
    tab.locator(f"tr[data-device='{quiet.pk}'] [data-action=rekey]").click()
    tab.get_by_test_id("key-id").wait_for()  # the panel, on this newly loaded page
    quiet.refresh_from_db()
    assert quiet.key_prefix != old_prefix
    assert tab.get_by_test_id("key-id").inner_text() == quiet.key_prefix
    tab.context.close()
