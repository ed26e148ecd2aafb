"""POST /api/v1/handlings/{proj_no}/invitation: a business system's link and QR codes for
its own handling, through HTTP (SQLite and PostgreSQL). Every refusal writes nothing."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from haochaping.catalog.rules.standards import Channel
from haochaping.catalog.selectors.standards import active_standard
from haochaping.evaluations.models import Evaluation, Invitation
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit, insert_default_rating
from haochaping.evaluations.tests import factories as ef
from haochaping.handlings.models import Handling

pytestmark = pytest.mark.django_db
BASE = "https://hcp.example.cn"


@pytest.fixture
def scene(locality: SimpleNamespace) -> SimpleNamespace:
    source, key = ef.make_client(locality.market, scopes=("handlings:write",), name="审批系统")
    other, other_key = ef.make_client(locality.market, scopes=("handlings:write",),
                                      name="另一系统")
    _, reader_key = ef.make_client(locality.market, scopes=("catalog:read",), name="只读")
    rater = ef.make_rater()

    def handling(**kw: Any) -> Handling:
        kw.setdefault("client", source)
        kw.setdefault("rater", rater)
        return ef.make_handling(locality, **kw)

    return SimpleNamespace(key=key, other=other, other_key=other_key, reader_key=reader_key,
                           rater=rater, handling=handling)


def ask(key: str | None, proj_no: str) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    with override_settings(HCP_PUBLIC_BASE_URL=BASE + "/"):
        return Client().post(f"/api/v1/handlings/{proj_no}/invitation", **headers)


def _state() -> tuple[Any, ...]:
    return (ef.snapshot(), list(Invitation.objects.values_list("pk", "expires_at")),
            list(Handling.objects.values_list("pk", "updated_at", "rating_closes_at")))


def refused(key: str | None, proj_no: str, status: int, code: str) -> None:
    before = _state()
    response = ask(key, proj_no)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert _state() == before


def test_link_and_qr_codes_then_the_same_link_again(scene: SimpleNamespace) -> None:
    h = scene.handling()
    h.rating_closes_at = timezone.now() + timedelta(days=3)
    h.save(update_fields=["rating_closes_at"])
    first = ask(scene.key, h.proj_no)
    assert first.status_code == 201
    body = first.json()
    token = body["url"].removeprefix(f"{BASE}/r/")
    assert body == {"proj_no": h.proj_no, "batch_no": "", "result": "created",
                    "url": f"{BASE}/r/{token}", "qr_png_url": f"{BASE}/r/{token}/qr.png",
                    "qr_svg_url": f"{BASE}/r/{token}/qr.svg", "expires_at": body["expires_at"]}
    expires = parse_datetime(body["expires_at"])
    assert expires is not None
    assert abs(expires - h.rating_closes_at) <= timedelta(seconds=1)
    invitation = Invitation.objects.get()
    assert (invitation.handling_id, invitation.channel, invitation.rater_id) == (
        h.pk, "link", scene.rater.pk)
    again = ask(scene.key, h.proj_no)
    assert again.status_code == 200
    assert again.json() == {**body, "result": "existing"}
    assert Invitation.objects.count() == 1
    page = Client().get(f"/r/{token}")
    assert page.status_code == 200
    png = Client().get(f"/r/{token}/qr.png")
    svg = Client().get(f"/r/{token}/qr.svg")
    assert (png.status_code, png["Content-Type"]) == (200, "image/png")
    assert (svg.status_code, svg["Content-Type"]) == (200, "image/svg+xml")


def test_a_used_or_expired_link_is_replaced(scene: SimpleNamespace) -> None:
    h = scene.handling()
    first = ask(scene.key, h.proj_no).json()["url"]
    Invitation.objects.update(used_at=timezone.now())
    second = ask(scene.key, h.proj_no)
    assert second.status_code == 201
    assert second.json()["url"] != first
    Invitation.objects.filter(used_at__isnull=True).update(
        expires_at=timezone.now() - timedelta(seconds=1))
    assert ask(scene.key, h.proj_no).status_code == 201
    assert Invitation.objects.count() == 3


def test_no_window_means_the_fallback_lifetime(scene: SimpleNamespace) -> None:
    h = scene.handling()
    expires = parse_datetime(ask(scene.key, h.proj_no).json()["expires_at"])
    assert expires is not None
    assert timedelta(days=6, hours=23) < expires - timezone.now() <= timedelta(days=7)


def test_a_batch_member_gets_the_batch_link(scene: SimpleNamespace) -> None:
    a = scene.handling(batch_no="B1")
    b = scene.handling(batch_no="B1")
    first = ask(scene.key, a.proj_no)
    assert first.status_code == 201
    assert first.json()["batch_no"] == "B1"
    invitation = Invitation.objects.get()
    assert (invitation.handling_id, invitation.batch_no) == (None, "B1")
    other_member = ask(scene.key, b.proj_no)
    assert (other_member.status_code, other_member.json()["url"]) == (200, first.json()["url"])
    page = Client().get(first.json()["url"].removeprefix(BASE))
    assert page.status_code == 200


def test_another_systems_batch_of_the_same_number_gets_its_own_link(
        scene: SimpleNamespace) -> None:
    mine = scene.handling(batch_no="B2")
    theirs = scene.handling(batch_no="B2", client=scene.other)
    first = ask(scene.key, mine.proj_no)
    second = ask(scene.other_key, theirs.proj_no)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["url"] != second.json()["url"]
    assert sorted(Invitation.objects.values_list("client_id", flat=True)) == sorted(
        [mine.client_id, theirs.client_id])


def _rate(h: Handling) -> None:
    evaluation_submit(handling=h, rating=RatingInput(level=5), channel=Channel.WEB)


def test_refusals_write_nothing(scene: SimpleNamespace) -> None:
    refused(scene.key, "NOPE", 404, "handling.not_found")
    theirs = scene.handling(client=scene.other)
    refused(scene.key, theirs.proj_no, 404, "handling.not_found")
    refused(scene.key, scene.handling(status="in_progress").proj_no, 409,
            "evaluation.not_completed")
    refused(scene.key, scene.handling(status="withdrawn").proj_no, 409, "evaluation.withdrawn")
    closed = scene.handling(rating_closes_at=timezone.now() - timedelta(minutes=1))
    refused(scene.key, closed.proj_no, 409, "evaluation.window_closed")
    rated = scene.handling()
    _rate(rated)
    refused(scene.key, rated.proj_no, 409, "evaluation.already_rated")  # one per service
    refused(None, rated.proj_no, 401, "auth.missing_credentials")
    refused("hcp_nope_nope", rated.proj_no, 401, "auth.invalid_key")
    refused(scene.reader_key, rated.proj_no, 403, "forbidden.scope")
    assert not Invitation.objects.exists()


@override_settings(HCP_POLICY_PRESET="haiyang")
def test_rated_handling_gets_a_link_when_a_new_rating_would_supersede(
        scene: SimpleNamespace) -> None:
    h = scene.handling(rating_closes_at=timezone.now() + timedelta(days=2))
    _rate(h)
    assert ask(scene.key, h.proj_no).status_code == 201  # latest_wins (seed 003 §10)


def test_default_rated_handling_gets_a_link(scene: SimpleNamespace) -> None:
    h = scene.handling()
    insert_default_rating(h, version=active_standard(), level=3, now=timezone.now())
    assert Evaluation.objects.get().is_default
    assert ask(scene.key, h.proj_no).status_code == 201
