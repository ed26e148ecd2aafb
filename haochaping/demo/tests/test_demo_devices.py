"""The demo's device interface and legacy import (``demo.devices``): third-party devices
with printable keys that sign, a four-key pad's degraded 差评, one offline device, one
legacy batch with every outcome."""

from __future__ import annotations

import re
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from haochaping.accounts.scoping import system_actor
from haochaping.demo.devices import FOUR_KEY_PROJ, LEGACY_SOURCE
from haochaping.evaluations.devices.sealing import open_device_key
from haochaping.evaluations.devices.selectors import device_rows
from haochaping.evaluations.models import Device, Evaluation, LegacyImport
from haochaping.evaluations.tests.device_support import SignedDevice
from haochaping.workorders.services.opening import is_open_worthy


def test_one_device_is_offline_and_the_third_party_ones_are_registered(built: str) -> None:
    assert "第三方评价设备 3 台（1 台离线）" in built
    offline = [r.device.name for r in device_rows(system_actor("test"), now=timezone.now(),
                                                  offline_only=True)]
    assert offline == ["二楼自助终端（第三方）"]
    four = Device.objects.get(kind="four_key")
    assert four.agent == "SJ-4K-2 v1.4"
    assert open_device_key(four.key_sealed).startswith(f"hcp_{four.key_prefix}_")


def test_the_four_key_pads_rating_is_a_degraded_bad_review(built: str) -> None:
    row = Evaluation.objects.select_related("device").get(handling__proj_no=FOUR_KEY_PROJ)
    assert (row.level, row.channel, row.degraded, row.device.kind, row.reason_codes) == (
        2, "evaluator", True, "four_key", [])
    assert is_open_worthy(row)  # the worker opens its work order from the queued task


def test_the_legacy_batch_has_a_row_of_every_outcome(built: str) -> None:
    batch = LegacyImport.objects.get(source=LEGACY_SOURCE)
    assert (batch.created, batch.duplicate, batch.unknown, batch.invalid) == (3, 1, 1, 1)
    assert Evaluation.objects.filter(legacy_source=LEGACY_SOURCE, is_current=True).count() == 3
    assert {line["code"] for line in batch.report} == {
        "legacy.rated_here", "legacy.unknown_handling", "legacy.level"}


def test_demo_info_prints_keys_that_sign(built: str) -> None:
    out = StringIO()
    call_command("demo_info", port=8123, stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8123/work/devices/" in text
    keys = re.findall(r"设备密钥：(\S+)", text)
    assert len(keys) == 2
    for key in keys:
        device = Device.objects.get(key_prefix=key.split("_")[1])
        signed = SignedDevice(device=device, key=key)
        assert signed.send("POST", "/api/v1/devices/heartbeat", {}).status_code == 200
