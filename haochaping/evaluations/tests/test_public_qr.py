"""QR codes and the window-QR phone flow (channel 2, seed 002) through the test client."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from haochaping.catalog.models import Window
from haochaping.evaluations import public
from haochaping.evaluations.invitations import invitation_create
from haochaping.evaluations.models import Evaluation, PhoneChallenge
from haochaping.evaluations.qr import qr_png, qr_svg
from haochaping.evaluations.tests.factories import PHONE, snapshot
from haochaping.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db

BASE = "https://hcp.example.gov.cn"


@pytest.fixture(autouse=True)
def _public_base(settings: Any) -> None:
    settings.HCP_PUBLIC_BASE_URL = BASE


def start(world: SimpleNamespace) -> str:
    return f"/q/w/{world.loc.window.code}"


def last_code() -> str:
    return str(OutboxMessage.objects.filter(template="sms_code").latest("pk").params["code"])


def send(client: Client, world: SimpleNamespace, phone: str = PHONE, **extra: Any) -> Any:
    return client.post(f"{start(world)}/start", {"phone": phone}, **extra)


def verify(client: Client, world: SimpleNamespace, code: str, phone: str = PHONE) -> Any:
    return client.post(f"{start(world)}/verify", {"phone": phone, "code": code})


def refused(response: Any, code: str, status: int) -> None:
    assert response.status_code == status
    assert f'data-code="{code}"' in response.content.decode()


def writes() -> tuple[Any, ...]:
    return (*snapshot(), list(PhoneChallenge.objects.values_list("pk", "verified_at")),
            OutboxMessage.objects.count())


# --- QR images ---------------------------------------------------------------------------


def test_invitation_qr_png_and_svg_encode_the_link(world: SimpleNamespace,
                                                   client: Client) -> None:
    _, token = invitation_create(handling=world.handling(), rater=world.rater,
                                 channel="qr_code", ttl=timedelta(days=1))
    png = client.get(f"/r/{token}/qr.png")
    svg = client.get(f"/r/{token}/qr.svg")
    assert png["Content-Type"] == "image/png"
    assert svg["Content-Type"] == "image/svg+xml"
    assert png.content == qr_png(f"{BASE}/r/{token}")
    assert svg.content == qr_svg(f"{BASE}/r/{token}")


def test_invitation_qr_of_a_forged_token(world: SimpleNamespace, client: Client) -> None:
    refused(client.get("/r/abc.123.def/qr.png"), "invitation.invalid", 404)


def test_window_poster_and_qr(world: SimpleNamespace, client: Client) -> None:
    window = world.loc.window
    html = client.get(start(world)).content.decode()
    assert f"{BASE}/q/w/{window.code}/start" in html
    assert f"/q/w/{window.code}/qr.svg" in html
    svg = client.get(f"{start(world)}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content == qr_svg(f"{BASE}/q/w/{window.code}/start")
    assert client.get(f"{start(world)}/qr.png").content == qr_png(
        f"{BASE}/q/w/{window.code}/start")


def test_unknown_or_inactive_window(world: SimpleNamespace, client: Client) -> None:
    refused(client.get("/q/w/NOPE"), "window.not_found", 404)
    Window.objects.filter(pk=world.loc.window.pk).update(is_active=False)
    refused(send(client, world), "window.not_found", 404)


# --- phone flow --------------------------------------------------------------------------


def test_phone_flow_end_to_end(world: SimpleNamespace, client: Client) -> None:
    mine = world.handling(completed_at=timezone.now() - timedelta(days=2))
    world.handling(completed_at=timezone.now() - timedelta(days=40))  # too old
    world.handling(rater=world.other_rater)  # someone else's
    world.handling(status="in_progress")  # not completed
    assert client.get(f"{start(world)}/start").status_code == 200
    response = send(client, world)
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()
    challenge = PhoneChallenge.objects.get()
    code = last_code()
    assert len(code) == 6
    assert code not in challenge.code_hash
    assert PHONE not in str(challenge.__dict__)
    response = verify(client, world, code)
    assert response.status_code == 302
    assert response["Location"] == f"{start(world)}/list"
    assert response.cookies["hcp_qr"]["httponly"]
    html = client.get(f"{start(world)}/list").content.decode()
    assert html.count("/h/") == 1
    assert f"/h/{mine.pk}" in html
    assert "张*" in html
    assert "张三" not in html
    rate_url = f"{start(world)}/h/{mine.pk}"
    assert world.loc.matter.name in client.get(rate_url).content.decode()
    response = client.post(rate_url, {"level": "4", "content": ["406"]})
    assert "感谢您的评价" in response.content.decode()
    row = Evaluation.objects.get(handling=mine)
    assert (row.channel, row.level) == ("qr_code", 4)
    assert f"/h/{mine.pk}" not in client.get(f"{start(world)}/list").content.decode()


def test_invalid_phone(world: SimpleNamespace, client: Client) -> None:
    before = writes()
    refused(send(client, world, phone="12345"), "phone.invalid", 422)
    assert writes() == before


def test_wrong_code(world: SimpleNamespace, client: Client) -> None:
    world.handling()
    send(client, world)
    code = last_code()
    before = writes()
    refused(verify(client, world, "000000" if code != "000000" else "111111"),
            "phone.code_invalid", 422)
    assert writes() == before
    assert PhoneChallenge.objects.get().attempts == 1
    refused(client.get(f"{start(world)}/list"), "phone.session_expired", 401)


def test_expired_code(world: SimpleNamespace, client: Client) -> None:
    send(client, world)
    code = last_code()
    before = writes()
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        refused(verify(client, world, code), "phone.code_expired", 410)
    assert writes() == before


def test_too_many_attempts(world: SimpleNamespace, client: Client) -> None:
    send(client, world)
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(public.MAX_ATTEMPTS):
        refused(verify(client, world, wrong), "phone.code_invalid", 422)
    before = writes()
    refused(verify(client, world, code), "phone.too_many_attempts", 429)
    assert writes() == before


def test_code_is_single_use(world: SimpleNamespace, client: Client) -> None:
    send(client, world)
    code = last_code()
    assert verify(client, world, code).status_code == 302
    refused(verify(Client(), world, code), "phone.code_expired", 410)


def test_too_many_sends_per_phone(world: SimpleNamespace, client: Client) -> None:
    send(client, world)
    before = writes()
    # too soon: no refusal code, the code step again with the resend button counting down
    again = send(client, world)
    html = again.content.decode()
    assert again.status_code == 200
    assert 'data-testid="resend-wait"' in html
    assert "秒后可重新获取" in html
    assert "phone.too_many_sends" not in html
    assert 'name="code"' in html
    assert writes() == before
    now = timezone.now()
    for minutes in range(2, 2 + public.SENDS_PER_HOUR * 2, 2):
        with time_machine.travel(now + timedelta(minutes=minutes)):
            send(client, world)
    assert PhoneChallenge.objects.count() == public.SENDS_PER_HOUR


def test_too_many_sends_per_ip(world: SimpleNamespace, client: Client) -> None:
    for i in range(public.IP_SENDS_PER_HOUR):
        assert send(client, world, phone=f"1390000{i:04d}").status_code == 200
    before = writes()
    refused(send(client, world, phone="13911112222"), "phone.too_many_sends", 429)
    assert writes() == before


def test_session_cannot_rate_someone_elses_handling(world: SimpleNamespace,
                                                    client: Client) -> None:
    theirs = world.handling(rater=world.other_rater)
    send(client, world)
    verify(client, world, last_code())
    before = writes()
    refused(client.post(f"{start(world)}/h/{theirs.pk}", {"level": "5"}),
            "handling.not_rateable", 404)
    assert writes() == before


def test_rating_without_a_session(world: SimpleNamespace, client: Client) -> None:
    h = world.handling()
    before = writes()
    refused(client.post(f"{start(world)}/h/{h.pk}", {"level": "5"}),
            "phone.session_expired", 401)
    assert writes() == before
