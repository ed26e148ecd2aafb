"""The office's side of the device interface: registration (API and screen, the key shown
once), the device list and the offline list, re-key and deactivation, inside the user's
org subtree."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from haochaping.audit.models import AuditEvent
from haochaping.evaluations.devices.sealing import open_device_key
from haochaping.evaluations.models import Device
from haochaping.evaluations.tests import factories as ef
from haochaping.evaluations.tests.device_support import SignedDevice, register
from tests.factories import make_hall, make_window

pytestmark = pytest.mark.django_db

URL = "/api/v1/devices"


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, url: str, data: Any = None, **extra: Any) -> Any:
    return client.post(url, json.dumps(data or {}), content_type="application/json", **extra)


def test_the_office_registers_a_device_and_sees_its_key_once(world: SimpleNamespace) -> None:
    office = logged_in(world.people.supervisor)
    response = post(office, URL, {"window_code": world.loc.window.code, "kind": "four_key",
                                  "name": "1号窗口四键评价器"})
    assert response.status_code == 201, response.content
    body = response.json()
    device = Device.objects.get(pk=body["id"])
    assert (body["kind"], body["kind_label"], body["key_id"]) == (
        "four_key", "四键评价器", device.key_prefix)
    key = body["key"]
    assert key.startswith(f"hcp_{device.key_prefix}_")
    assert key not in device.key_sealed
    assert key not in device.key_hash
    assert open_device_key(device.key_sealed) == key
    assert AuditEvent.objects.filter(action="device.create", object_id=str(device.pk)).exists()
    listed = office.get(URL).json()
    assert [d["id"] for d in listed] == [device.pk]
    assert "key" not in listed[0]
    assert key not in office.get(URL).content.decode()
    # the key it was given signs the interface's requests
    signed = SignedDevice(device=device, key=key)
    assert signed.send("POST", "/api/v1/devices/heartbeat", {}).status_code == 200


def test_an_api_client_needs_the_device_scopes(world: SimpleNamespace) -> None:
    _, plain = ef.make_client(world.loc.city_office, scopes=("evaluations:write",))
    _, reader = ef.make_client(world.loc.city_office, scopes=("device:read",), name="运维监控")
    _, writer = ef.make_client(world.loc.city_office, scopes=("device:read", "device:write"),
                               name="设备管理平台")
    data = {"window_code": world.loc.window.code, "kind": "evaluator", "name": "评价器"}
    refused = post(Client(), URL, data, HTTP_X_API_KEY=plain)
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden.scope")
    refused = post(Client(), URL, data, HTTP_X_API_KEY=reader)
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden.scope")
    assert not Device.objects.exists()
    assert post(Client(), URL, data, HTTP_X_API_KEY=writer).status_code == 201
    assert len(Client().get(f"{URL}/offline", HTTP_X_API_KEY=reader).json()) == 1
    missing = Client().get(URL)
    assert (missing.status_code, missing.json()["code"]) == (401, "auth.missing_credentials")


@pytest.mark.parametrize(("persona", "data", "status", "code"), [
    ("handler", {}, 403, "forbidden.role"),
    ("auditor", {}, 403, "forbidden.role"),
    ("district_supervisor", {}, 404, "window.not_found"),  # the market's window
    ("supervisor", {"window_code": "NOPE"}, 404, "window.not_found"),
    ("supervisor", {"kind": "tablet"}, 422, "invalid_request"),
    ("supervisor", {"name": ""}, 422, "invalid_request"),
    ("supervisor", {"name": "   "}, 422, "device.invalid_name"),
])
def test_registration_refusals_write_nothing(world: SimpleNamespace, persona: str,
                                             data: dict[str, str], status: int,
                                             code: str) -> None:
    body = {"window_code": world.loc.window.code, "kind": "evaluator", "name": "评价器", **data}
    response = post(logged_in(getattr(world.people, persona)), URL, body)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not Device.objects.exists()
    assert not AuditEvent.objects.filter(action="device.create").exists()


def test_offline_list_names_devices_not_seen_for_n_minutes(world: SimpleNamespace) -> None:
    now = timezone.now()
    fresh = register(world.people.supervisor, world.loc.window, name="在线评价器").device
    quiet = register(world.people.supervisor, world.loc.window, name="掉线评价器").device
    register(world.people.supervisor, world.loc.window, "kiosk", "未开机终端")  # never seen
    gone = register(world.people.supervisor, world.loc.window, name="已停用评价器").device
    Device.objects.filter(pk=fresh.pk).update(last_seen_at=now - timedelta(minutes=2))
    Device.objects.filter(pk=quiet.pk).update(last_seen_at=now - timedelta(minutes=45))
    Device.objects.filter(pk=gone.pk).update(is_active=False, last_seen_at=now - timedelta(days=3))
    office = logged_in(world.people.supervisor)
    offline = office.get(f"{URL}/offline").json()
    assert {d["name"] for d in offline} == {"掉线评价器", "未开机终端"}
    by_name = {d["name"]: d for d in offline}
    assert by_name["掉线评价器"]["silent_minutes"] == 45
    assert by_name["未开机终端"]["silent_minutes"] is None
    assert {d["name"] for d in office.get(f"{URL}/offline", {"minutes": 60}).json()} == {
        "未开机终端"}
    with override_settings(HCP_DEVICE_OFFLINE_MINUTES=1):
        assert len(office.get(f"{URL}/offline").json()) == 3
    everything = office.get(URL).json()
    assert [d["name"] for d in everything][:2] in (["掉线评价器", "未开机终端"],
                                                   ["未开机终端", "掉线评价器"])
    assert everything[-1]["name"] == "已停用评价器"
    bad = office.get(f"{URL}/offline", {"minutes": 0})
    assert (bad.status_code, bad.json()["code"]) == (422, "device.invalid_minutes")


def test_lists_keep_to_the_users_subtree(world: SimpleNamespace) -> None:
    register(world.people.supervisor, world.loc.window)
    district_hall = make_hall(world.loc.district_office, code="HALL-D")
    district_window = make_window(district_hall, world.loc.district_hr, number="1")
    register(world.people.supervisor, district_window, name="区大厅评价器")
    district = logged_in(world.people.district_supervisor)
    assert [d["name"] for d in district.get(URL).json()] == ["区大厅评价器"]
    assert [d["name"] for d in logged_in(world.people.auditor).get(URL).json()] != []
    refused = logged_in(world.people.handler).get(f"{URL}/offline")
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden.role")


def test_rekey_and_deactivate(world: SimpleNamespace) -> None:
    pad = register(world.people.supervisor, world.loc.window)
    office = logged_in(world.people.supervisor)
    response = post(office, f"{URL}/{pad.device.pk}/rekey")
    assert response.status_code == 200, response.content
    new_key = response.json()["key"]
    assert new_key != pad.key
    old = pad.send("POST", "/api/v1/devices/heartbeat", {})
    assert (old.status_code, old.json()["code"]) == (401, "device.unknown")
    renewed = SignedDevice(device=Device.objects.get(pk=pad.device.pk), key=new_key)
    assert renewed.send("POST", "/api/v1/devices/heartbeat", {}).status_code == 200
    assert post(office, f"{URL}/{pad.device.pk}/deactivate").json()["is_active"] is False
    again = post(office, f"{URL}/{pad.device.pk}/deactivate")
    assert (again.status_code, again.json()["code"]) == (409, "device.already_inactive")
    inactive = renewed.send("POST", "/api/v1/devices/heartbeat", {})
    assert (inactive.status_code, inactive.json()["code"]) == (401, "device.inactive")
    actions = set(AuditEvent.objects.filter(object_id=str(pad.device.pk))
                  .values_list("action", flat=True))
    assert {"device.create", "device.rekey", "device.deactivate"} <= actions
    outside = post(logged_in(world.people.district_supervisor), f"{URL}/{pad.device.pk}/rekey")
    assert (outside.status_code, outside.json()["code"]) == (404, "device.not_found")


# --- the screen ----------------------------------------------------------------------------


def test_the_screen_lists_offline_devices_first(world: SimpleNamespace) -> None:
    register(world.people.supervisor, world.loc.window, name="在线评价器")
    Device.objects.update(last_seen_at=timezone.now())
    register(world.people.supervisor, world.loc.window, "four_key", "掉线四键评价器")
    html = logged_in(world.people.supervisor).get("/work/devices/").content.decode()
    assert html.index("掉线四键评价器") < html.index("在线评价器")
    assert 'data-status="offline"' in html
    assert 'data-testid="offline-count">1<' in html
    only = logged_in(world.people.supervisor).get("/work/devices/?offline=1").content.decode()
    assert "掉线四键评价器" in only
    assert "在线评价器" not in only
    assert 'data-testid="register"' in html
    auditor = logged_in(world.people.auditor).get("/work/devices/").content.decode()
    assert "掉线四键评价器" in auditor
    assert 'data-testid="register"' not in auditor
    refused = logged_in(world.people.handler).get("/work/devices/")
    assert refused.status_code == 403
    assert 'data-code="forbidden.role"' in refused.content.decode()


def test_the_screen_registers_and_shows_the_key_once(world: SimpleNamespace) -> None:
    office = logged_in(world.people.supervisor)
    response = office.post("/work/devices/register", {"window": world.loc.window.pk,
                                                      "kind": "kiosk", "name": "自助终端"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Trigger"] == "devices-changed"
    device = Device.objects.get()
    key = open_device_key(device.key_sealed)
    assert key in response.content.decode()
    assert key not in office.get("/work/devices/").content.decode()
    plain = office.post("/work/devices/register", {"window": "999999", "kind": "kiosk",
                                                   "name": "x"})
    assert plain.status_code == 404
    assert 'data-code="window.not_found"' in plain.content.decode()
    assert Device.objects.count() == 1
    rekeyed = office.post(f"/work/devices/{device.pk}/rekey", HTTP_HX_REQUEST="true")
    assert open_device_key(Device.objects.get().key_sealed) in rekeyed.content.decode()
    gone = office.post(f"/work/devices/{device.pk}/deactivate", HTTP_HX_REQUEST="true")
    assert "已停用设备" in gone.content.decode()
    assert not Device.objects.get().is_active


def test_the_database_refuses_an_unknown_kind(world: SimpleNamespace) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Device.objects.create(name="x", kind="tablet", window=world.loc.window,
                              key_prefix="0123456789ab", key_hash="0" * 64)
