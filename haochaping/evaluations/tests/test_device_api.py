"""The device interface v1 end to end, the device's side: signed heartbeat, the pending
handling, ratings of five-level and four-key devices, and every refusal (a stable code,
nothing written, never a 5xx)."""

from __future__ import annotations

import time
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from haochaping.audit.models import AuditEvent
from haochaping.evaluations.devices import rules
from haochaping.evaluations.devices.waiting import wait_claim
from haochaping.evaluations.models import Device, DeviceNonce, Evaluation
from haochaping.evaluations.tests.device_support import SignedDevice, register, state
from haochaping.evaluations.tests.factories import snapshot
from haochaping.workorders.models import WorkOrder
from tests.factories import make_window

pytestmark = pytest.mark.django_db

RATINGS = "/api/v1/devices/ratings"
PENDING = "/api/v1/devices/pending"
HEARTBEAT = "/api/v1/devices/heartbeat"


@pytest.fixture
def pad(world: SimpleNamespace) -> SignedDevice:
    return register(world.people.supervisor, world.loc.window)


@pytest.fixture
def four_key(world: SimpleNamespace) -> SignedDevice:
    return register(world.people.supervisor, world.loc.window, "four_key", "四键评价器")


def just_done(world: SimpleNamespace) -> Any:
    return world.handling(completed_at=timezone.now())


def test_the_server_time_needs_no_signature() -> None:
    body = Client().get("/api/v1/devices/time").json()
    assert abs(body["epoch"] - time.time()) < 5


def test_heartbeat_records_contact_and_model(pad: SignedDevice, world: SimpleNamespace) -> None:
    response = pad.send("POST", HEARTBEAT, {"agent": "PJQ-4 固件 2.1.7"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["device_id"] == pad.device.pk
    assert body["window"]["code"] == world.loc.window.code
    assert body["offline_after_minutes"] == 10
    device = Device.objects.get(pk=pad.device.pk)
    assert device.agent == "PJQ-4 固件 2.1.7"
    assert device.last_seen_at is not None
    assert DeviceNonce.objects.filter(device=device).count() == 1
    # a heartbeat without a model keeps the one reported before
    assert pad.send("POST", HEARTBEAT, {}).status_code == 200
    assert Device.objects.get(pk=pad.device.pk).agent == "PJQ-4 固件 2.1.7"


def test_pending_presents_the_handling_just_completed(pad: SignedDevice,
                                                      world: SimpleNamespace) -> None:
    idle = pad.send("GET", PENDING).json()
    assert idle["handling"] is None
    assert idle["version"] == "0"
    assert idle["wait"] is None
    assert idle["keys"] is None
    handling = just_done(world)
    body = pad.send("GET", PENDING).json()
    assert body["handling"]["handling_id"] == handling.pk
    assert body["handling"]["proj_no"] == handling.proj_no
    assert body["handling"]["matter"] == world.loc.matter.name
    assert body["handling"]["staff"]["staff_no"] == world.loc.staff.staff_no
    assert body["version"] != idle["version"]
    assert "rater" not in str(body)
    assert world.rater.name_masked not in str(body)


def test_pending_hands_a_wait_token_for_padwait(pad: SignedDevice) -> None:
    with override_settings(HCP_PAD_WAIT_URL="/pad/wait"):
        body = pad.send("GET", PENDING).json()
    assert body["wait"]["url"] == "/pad/wait"
    claim = wait_claim(body["wait"]["token"])
    assert claim is not None
    assert (claim.device_id, claim.window_id) == (pad.device.pk, pad.device.window_id)
    assert wait_claim(body["wait"]["token"] + "x") is None


def test_a_five_level_device_rates_the_presented_handling(pad: SignedDevice,
                                                          world: SimpleNamespace) -> None:
    handling = just_done(world)
    response = pad.send("POST", RATINGS, {"handling_id": handling.pk, "level": 4,
                                          "content_codes": ["413"]})
    assert response.status_code == 201, response.content
    out = response.json()
    assert (out["proj_no"], out["level"], out["level_label"], out["channel"],
            out["degraded"]) == (handling.proj_no, 4, "满意", "evaluator", False)
    row = Evaluation.objects.get(handling=handling)
    assert (row.device_id, row.ip, row.user_agent, row.degraded) == (
        pad.device.pk, "198.51.100.7", "PadVendor/2.1", False)


def test_a_kiosk_rates_on_the_kiosk_channel(world: SimpleNamespace) -> None:
    kiosk = register(world.people.supervisor, world.loc.window, "kiosk", "自助终端")
    handling = just_done(world)
    response = kiosk.send("POST", RATINGS, {"handling_id": handling.pk, "level": 5})
    assert response.status_code == 201, response.content
    assert response.json()["channel"] == "kiosk"


@pytest.mark.parametrize(("key", "level", "label"), [(1, 5, "非常满意"), (2, 4, "满意"),
                                                     (3, 3, "基本满意"), (4, 2, "不满意")])
def test_a_four_key_pad_rates_by_the_key_table(four_key: SignedDevice, world: SimpleNamespace,
                                               key: int, level: int, label: str) -> None:
    pending = four_key.send("GET", PENDING).json()
    assert pending["keys"] == [{"key": 1, "level": 5, "label": "非常满意"},
                               {"key": 2, "level": 4, "label": "满意"},
                               {"key": 3, "level": 3, "label": "基本满意"},
                               {"key": 4, "level": 2, "label": "不满意"}]
    handling = just_done(world)
    response = four_key.send("POST", RATINGS, {"handling_id": handling.pk, "key": key})
    assert response.status_code == 201, response.content
    assert (response.json()["level"], response.json()["level_label"],
            response.json()["degraded"]) == (level, label, True)
    row = Evaluation.objects.get(handling=handling)
    assert (row.level, row.degraded, row.channel, row.reason_codes, row.text) == (
        level, True, "evaluator", [], "")


def test_a_four_key_bad_rating_opens_its_work_order(four_key: SignedDevice,
                                                    world: SimpleNamespace,
                                                    django_capture_on_commit_callbacks: Any
                                                    ) -> None:
    handling = just_done(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = four_key.send("POST", RATINGS, {"handling_id": handling.pk, "key": 4})
    assert response.status_code == 201, response.content
    order = WorkOrder.objects.get(handling=handling)
    assert order.evaluation.degraded
    assert order.org_id == handling.org_id
    office = Client()
    office.force_login(world.people.supervisor)
    page = office.get(f"/work/orders/{order.pk}/").content.decode()
    assert "四键评价器无法选择原因，请在回访时了解" in page


def refused(device: SignedDevice, status: int, code: str, method: str = "POST",
            path: str = RATINGS, data: Any = None, **sign: Any) -> dict[str, Any]:
    """A refusal: the code, a Chinese message, and nothing written. A correctly signed
    request refused for its content has spent its nonce and counts as the device's contact
    (authentication state, not data: the same request cannot be replayed); no rating,
    handling or invitation changes."""
    before, ratings = state(), snapshot()
    nonces = DeviceNonce.objects.count()
    response = device.send(method, path, data, **sign)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert snapshot() == ratings
    if not code.startswith("device.") or code in CONTENT_CODES:
        assert DeviceNonce.objects.count() == nonces + 1
    else:
        assert state() == before
    return dict(response.json())


# refusals of a correctly signed request's content (its nonce is spent)
CONTENT_CODES = {"device.four_key_only", "device.key_required", "device.key_not_supported",
                 "device.level_required"}


def test_signature_refusals_write_nothing_and_are_audited(pad: SignedDevice,
                                                         world: SimpleNamespace) -> None:
    handling = just_done(world)
    data = {"handling_id": handling.pk, "level": 5}
    now = int(time.time())
    refused(pad, 401, "device.bad_signature", data=data, key=pad.key + "x")
    refused(pad, 401, "device.stale_timestamp", data=data, timestamp=now - 301)
    refused(pad, 401, "device.stale_timestamp", data=data, timestamp=now + 400)
    refused(pad, 401, "device.unknown", data=data, key_id="0123456789ab")
    refused(pad, 401, "device.bad_header", data=data, nonce="short")
    refused(pad, 401, "device.bad_header", data=data, key_id="NOT-A-KEY-ID")
    audited = list(AuditEvent.objects.filter(action="device.request_refused")
                   .values_list("after__code", flat=True))
    assert audited == ["device.bad_signature", "device.stale_timestamp",
                       "device.stale_timestamp", "device.unknown", "device.bad_header",
                       "device.bad_header"]
    assert not Evaluation.objects.exists()


def test_an_unsigned_request_is_refused(pad: SignedDevice, world: SimpleNamespace) -> None:
    before = state()
    for path, method in [(RATINGS, "post"), (PENDING, "get"), (HEARTBEAT, "post"),
                         ("/api/v1/devices/standard", "get")]:
        response = getattr(Client(), method)(path, content_type="application/json")
        assert response.status_code == 401
        assert response.json()["code"] == "device.unsigned"
        assert "X-HCP-Signature" in response.json()["message"]
    assert state() == before


def test_a_replayed_request_is_refused(pad: SignedDevice, world: SimpleNamespace) -> None:
    handling = just_done(world)
    data = {"handling_id": handling.pk, "level": 5}
    assert pad.send("POST", HEARTBEAT, {}, nonce="replay-me-0000000001").status_code == 200
    refused(pad, 401, "device.replayed_nonce", data=data, nonce="replay-me-0000000001")
    assert not Evaluation.objects.exists()
    # the same request body signed again with a fresh nonce goes through
    assert pad.send("POST", RATINGS, data).status_code == 201


def test_an_inactive_or_old_device_is_refused(pad: SignedDevice, world: SimpleNamespace) -> None:
    handling = just_done(world)
    data = {"handling_id": handling.pk, "level": 5}
    Device.objects.filter(pk=pad.device.pk).update(is_active=False)
    refused(pad, 401, "device.inactive", data=data)
    Device.objects.filter(pk=pad.device.pk).update(is_active=True, key_sealed="")
    refused(pad, 401, "device.not_signable", data=data)
    Device.objects.filter(pk=pad.device.pk).update(key_sealed="v1:gone:AAAA")
    refused(pad, 401, "device.not_signable", data=data)


def test_rating_refusals_write_nothing(pad: SignedDevice, four_key: SignedDevice,
                                      world: SimpleNamespace) -> None:
    older = world.handling(completed_at=timezone.now() - timedelta(minutes=20))
    world.handling(completed_at=timezone.now() - timedelta(minutes=10))  # displaced it
    handling = just_done(world)
    refused(four_key, 422, "device.four_key_only", data={"handling_id": handling.pk, "level": 5})
    refused(four_key, 422, "device.four_key_only",
            data={"handling_id": handling.pk, "key": 4, "text": "等了很久很久"})
    refused(four_key, 422, "device.key_required", data={"handling_id": handling.pk})
    refused(pad, 422, "device.key_not_supported", data={"handling_id": handling.pk, "key": 1})
    refused(pad, 422, "device.level_required", data={"handling_id": handling.pk})
    refused(pad, 422, "invalid_request", data={"handling_id": handling.pk, "level": 7})
    refused(four_key, 422, "invalid_request", data={"handling_id": handling.pk, "key": 5})
    refused(pad, 422, "invalid_request", data={"level": 5})
    refused(pad, 422, "evaluation.text_too_long", data={"handling_id": handling.pk, "level": 5,
                                                        "text": "长" * 501})
    refused(pad, 409, "pad.not_presented", data={"handling_id": older.pk, "level": 5})
    refused(pad, 422, "evaluation.reason_required", data={"handling_id": handling.pk, "level": 1})
    elsewhere = world.handling(completed_at=timezone.now(),
                               window=make_window(world.loc.hall, world.loc.market, number="9"))
    refused(pad, 404, "handling.not_found", data={"handling_id": elsewhere.pk, "level": 5})
    bad = pad.send("POST", RATINGS, raw=b"{not json")
    assert bad.status_code in (400, 422)
    assert bad.json()["code"] in ("invalid_json", "invalid_request")


def test_a_rated_handling_is_not_rated_twice(pad: SignedDevice, world: SimpleNamespace) -> None:
    handling = just_done(world)
    assert pad.send("POST", RATINGS, {"handling_id": handling.pk, "level": 5}).status_code == 201
    refused(pad, 409, "pad.not_presented", data={"handling_id": handling.pk, "level": 4})
    assert Evaluation.objects.filter(handling=handling).count() == 1


def test_limits_per_device(pad: SignedDevice, world: SimpleNamespace) -> None:
    with override_settings(HCP_RATE_LIMITS={"device_api": (2, 60)}):
        assert pad.send("GET", PENDING).status_code == 200
        assert pad.send("GET", PENDING).status_code == 200
        over = pad.send("GET", PENDING)
    assert over.status_code == 429
    assert over.json()["code"] == "rate_limited"


def test_refusal_audits_are_capped_per_address(pad: SignedDevice, world: SimpleNamespace,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from haochaping.evaluations.devices import services

    monkeypatch.setattr(services, "REFUSALS_AUDITED_PER_MINUTE", 2)
    for _ in range(4):
        assert pad.send("GET", PENDING, key=pad.key + "x").status_code == 401
    assert AuditEvent.objects.filter(action="device.request_refused").count() == 2


def test_the_signed_path_includes_the_query_string(pad: SignedDevice) -> None:
    response = pad.send("GET", PENDING + "?since=0")
    assert response.status_code == 200
    headers = pad.headers("GET", PENDING, b"")  # signed without the query
    response = Client().get(PENDING + "?since=0", headers=headers)
    assert (response.status_code, response.json()["code"]) == (401, "device.bad_signature")
    assert rules.SCHEME.endswith("V1")


def test_nonces_are_kept_for_the_replay_window_only(pad: SignedDevice) -> None:
    old = DeviceNonce.objects.create(device=pad.device, nonce="old-nonce-000000001",
                                     seen_at=timezone.now() - rules.NONCE_RETENTION
                                     - timedelta(seconds=1))
    recent = DeviceNonce.objects.create(device=pad.device, nonce="recent-nonce-000001",
                                        seen_at=timezone.now() - timedelta(minutes=9))
    assert pad.send("POST", HEARTBEAT, {}).status_code == 200
    kept = set(DeviceNonce.objects.values_list("pk", flat=True))
    assert old.pk not in kept
    assert recent.pk in kept
    assert len(kept) == 2
