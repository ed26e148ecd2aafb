"""The evaluator pad (channel 3): provisioning, the cheap state endpoint, rating."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from haochaping.accounts.scoping import actor_for_user
from haochaping.evaluations.models import Device, Evaluation
from haochaping.evaluations.services import device_create
from haochaping.evaluations.tests.factories import snapshot
from haochaping.handlings.services import bump_pads

pytestmark = pytest.mark.django_db


@pytest.fixture
def pad(world: SimpleNamespace) -> SimpleNamespace:
    device, key = device_create(actor=actor_for_user(world.people.admin),
                                window=world.loc.window, kind="evaluator", name="1号窗口评价器")
    return SimpleNamespace(device=device, key=key)


def bound(key: str) -> Client:
    client = Client()
    response = client.get("/pad/", {"key": key})
    assert response.status_code == 302
    assert response["Location"] == "/pad/"
    return client


def version_of(client: Client) -> str:
    html = client.get("/pad/").content.decode()
    return html.split('data-version="', 1)[1].split('"', 1)[0]


def refused(response: Any, code: str, status: int) -> None:
    assert response.status_code == status
    assert f'data-code="{code}"' in response.content.decode()


def test_provisioning_sets_an_httponly_cookie_without_the_key(pad: SimpleNamespace) -> None:
    client = Client()
    response = client.get("/pad/", {"key": pad.key})
    cookie = response.cookies["hcp_pad"]
    assert cookie["httponly"]
    assert pad.key not in cookie.value
    html = client.get("/pad/").content.decode()
    assert 'data-screen="idle"' in html
    assert f"{pad.device.window.number}号窗口" in html
    staff = pad.device.window.staff.get()
    assert staff.name in html
    assert staff.staff_no in html


def test_wrong_or_inactive_key(pad: SimpleNamespace, world: SimpleNamespace) -> None:
    before = snapshot()
    refused(Client().get("/pad/", {"key": "hcp_000000000000_nope"}), "device.invalid", 401)
    refused(Client().get("/pad/", {"key": "garbage"}), "device.invalid", 401)
    refused(Client().get("/pad/"), "device.unbound", 401)
    refused(Client().get("/pad/state", {"v": "0"}), "device.unbound", 401)
    client = bound(pad.key)
    Device.objects.filter(pk=pad.device.pk).update(is_active=False)
    cache.clear()  # the device check is cached for a minute
    refused(client.get("/pad/state", {"v": "0"}), "device.invalid", 401)
    refused(Client().get("/pad/", {"key": pad.key}), "device.invalid", 401)
    assert snapshot() == before


def test_idle_rate_idle(pad: SimpleNamespace, world: SimpleNamespace,
                        django_assert_num_queries: Any) -> None:
    client = bound(pad.key)
    version = version_of(client)
    client.get("/pad/state", {"v": version})  # warm the minute-long device check
    with django_assert_num_queries(0):
        assert client.get("/pad/state", {"v": version}).status_code == 204
    handling = world.handling(completed_at=timezone.now())
    bump_pads([world.loc.window.pk])
    response = client.get("/pad/state", {"v": version}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-screen="rating"' in html
    assert f'name="handling" value="{handling.pk}"' in html
    assert world.loc.matter.name in html
    assert world.loc.staff.staff_no in html
    assert 'data-speak="请您对本次服务进行评价"' in html
    assert "/pad/state" not in html  # the rating screen does not poll; it times out to idle
    response = client.post("/pad/rate", {"handling": handling.pk, "level": "5",
                                         "content": ["517"]}, HTTP_HX_REQUEST="true")
    assert 'data-screen="thanks"' in response.content.decode()
    row = Evaluation.objects.get(handling=handling)
    assert (row.channel, row.device_id) == ("evaluator", pad.device.pk)
    idle = client.get("/pad/idle").content.decode()
    assert 'data-screen="idle"' in idle
    current = idle.split('data-version="', 1)[1].split('"', 1)[0]
    assert current != version
    with django_assert_num_queries(0):
        assert client.get("/pad/state", {"v": current}).status_code == 204


def test_changed_version_without_work_returns_idle(pad: SimpleNamespace,
                                                   world: SimpleNamespace) -> None:
    client = bound(pad.key)
    world.handling(completed_at=timezone.now() - timedelta(hours=2))  # not "just now"
    bump_pads([world.loc.window.pk])
    html = client.get("/pad/state", {"v": "-1"}).content.decode()
    assert 'data-screen="idle"' in html


def test_state_initialises_a_missing_counter(pad: SimpleNamespace) -> None:
    client = bound(pad.key)
    cache.delete(f"pad:window:{pad.device.window_id}")
    assert client.get("/pad/state", {"v": "0"}).status_code == 204
    assert cache.get(f"pad:window:{pad.device.window_id}") == 0


def test_kiosk_rates_with_the_kiosk_channel(world: SimpleNamespace) -> None:
    _, key = device_create(actor=actor_for_user(world.people.admin), window=world.loc.window,
                           kind="kiosk", name="自助终端")
    handling = world.handling(completed_at=timezone.now())
    response = bound(key).post("/pad/rate", {"handling": handling.pk, "level": "4"})
    assert response.status_code == 302
    assert Evaluation.objects.get(handling=handling).channel == "kiosk"


def test_missing_reason_keeps_the_rating_screen(pad: SimpleNamespace,
                                                world: SimpleNamespace) -> None:
    handling = world.handling(completed_at=timezone.now())
    client = bound(pad.key)
    before = snapshot()
    response = client.post("/pad/rate", {"handling": handling.pk, "level": "1"})
    refused(response, "evaluation.reason_required", 422)
    assert 'data-screen="rating"' in response.content.decode()
    assert snapshot() == before


def test_handling_of_another_window(pad: SimpleNamespace, world: SimpleNamespace) -> None:
    online = world.handling(offline=False)
    client = bound(pad.key)
    before = snapshot()
    refused(client.post("/pad/rate", {"handling": online.pk, "level": "5"}),
            "handling.not_found", 404)
    refused(client.post("/pad/rate", {"handling": "x", "level": "5"}),
            "handling.not_found", 404)
    assert snapshot() == before


def test_only_the_handling_the_pad_presents_can_be_rated(pad: SimpleNamespace,
                                                         world: SimpleNamespace) -> None:
    """Seed 003 §15: whoever holds the pad cannot rate an older unrated handling of the
    window; only the one on the screen (the latest completed just now)."""
    now = timezone.now()
    stale = world.handling(completed_at=now - timedelta(hours=3))
    older = world.handling(completed_at=now - timedelta(minutes=10))
    shown = world.handling(completed_at=now - timedelta(minutes=2))
    client = bound(pad.key)
    bump_pads([world.loc.window.pk])
    screen = client.get("/pad/state", {"v": "-1"}).content.decode()
    assert f'name="handling" value="{shown.pk}"' in screen
    before = snapshot()
    for other in (older, stale):
        refused(client.post("/pad/rate", {"handling": other.pk, "level": "5"}),
                "pad.not_presented", 409)
    assert snapshot() == before
    assert client.post("/pad/rate", {"handling": shown.pk, "level": "5"}).status_code == 302
    assert list(Evaluation.objects.values_list("handling_id", flat=True)) == [shown.pk]
    # Rated, it leaves the screen: the pad now presents the older one, which it may rate.
    screen = client.get("/pad/state", {"v": "-1"}).content.decode()
    assert f'name="handling" value="{older.pk}"' in screen
    refused(client.post("/pad/rate", {"handling": shown.pk, "level": "1", "text": "服务太差了"}),
            "pad.not_presented", 409)
    assert Evaluation.objects.get(handling=shown).level == 5


def test_a_rater_still_on_the_screen_when_the_next_handling_completes_may_send(
        pad: SimpleNamespace, world: SimpleNamespace) -> None:
    """The next applicant's handling took the screen less than PAD_HANDOVER ago: the
    rating already under way for the previous one still counts; a minute later it would
    not."""
    now = timezone.now()
    first = world.handling(completed_at=now - timedelta(minutes=1))
    world.handling(completed_at=now - timedelta(seconds=20))
    client = bound(pad.key)
    assert client.post("/pad/rate", {"handling": first.pk, "level": "5"}).status_code == 302
    assert Evaluation.objects.get(handling=first).channel == "evaluator"

    late = world.handling(completed_at=now - timedelta(minutes=4))
    world.handling(completed_at=now - timedelta(minutes=3))
    refused(client.post("/pad/rate", {"handling": late.pk, "level": "5"}),
            "pad.not_presented", 409)


def test_a_refusal_on_the_pad_returns_to_idle(pad: SimpleNamespace,
                                              world: SimpleNamespace) -> None:
    older = world.handling(completed_at=timezone.now() - timedelta(minutes=10))
    world.handling(completed_at=timezone.now() - timedelta(minutes=3))
    response = bound(pad.key).post("/pad/rate", {"handling": older.pk, "level": "5"},
                                   HTTP_HX_REQUEST="true")
    refused(response, "pad.not_presented", 409)
    html = response.content.decode()
    assert 'data-screen="refused"' in html
    assert 'hx-get="/pad/idle"' in html
    assert "只能评价评价器当前显示的办件" in html


@override_settings(HCP_RATE_LIMITS={"device": (2, 60)})
def test_ratings_are_rate_limited_per_device(pad: SimpleNamespace,
                                             world: SimpleNamespace) -> None:
    shown = world.handling(completed_at=timezone.now())
    client = bound(pad.key)
    before = snapshot()
    for _ in range(2):
        refused(client.post("/pad/rate", {"handling": "x", "level": "5"}),
                "handling.not_found", 404)
    refused(client.post("/pad/rate", {"handling": shown.pk, "level": "5"}), "rate_limited", 429)
    assert snapshot() == before
    _, kiosk_key = device_create(actor=actor_for_user(world.people.admin),
                                 window=world.loc.window, kind="kiosk", name="自助终端")
    assert bound(kiosk_key).post("/pad/rate", {"handling": shown.pk,
                                               "level": "5"}).status_code == 302


def test_last_seen_is_written_at_most_once_a_minute(pad: SimpleNamespace,
                                                    django_assert_num_queries: Any) -> None:
    client = bound(pad.key)
    cache.delete(f"pad:device:{pad.device.pk}:{pad.device.key_hash[:16]}")
    with django_assert_num_queries(1):
        client.get("/pad/state", {"v": "0"})
    first = Device.objects.get(pk=pad.device.pk).last_seen_at
    assert first is not None
    for _ in range(3):
        client.get("/pad/state", {"v": "0"})
    assert Device.objects.get(pk=pad.device.pk).last_seen_at == first
