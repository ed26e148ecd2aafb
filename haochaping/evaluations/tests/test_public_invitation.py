"""The invitation link page /r/<token> through Django's test client (channel 1)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from haochaping.evaluations.invitations import invitation_create
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.tests.factories import snapshot

pytestmark = pytest.mark.django_db

GOOD = {"level": "5", "content": ["510", "511"], "item_overall": "5", "text": "很方便"}
UA = "Mozilla/5.0 (iPhone) test"


def invite(world: SimpleNamespace, handling: Any = None, *, batch_no: str = "",
           ttl: timedelta = timedelta(days=7)) -> str:
    _, token = invitation_create(handling=handling, batch_no=batch_no,
                                 client=None if handling else world.source, rater=world.rater,
                                 channel="link", ttl=ttl)
    return token


def refused_page(client: Client, method: str, url: str, code: str, status: int,
                 data: dict[str, Any] | None = None) -> Any:
    before = snapshot()
    response = getattr(client, method)(url, data or {})
    assert response.status_code == status
    assert f'data-code="{code}"' in response.content.decode()
    assert snapshot() == before
    return response


def test_page_shows_the_matter_and_only_the_masked_rater(world: SimpleNamespace,
                                                         client: Client) -> None:
    h = world.handling()
    response = client.get(f"/r/{invite(world, h)}")
    html = response.content.decode()
    assert response.status_code == 200
    assert world.loc.matter.name in html
    assert world.loc.market.name in html
    assert "张*" in html
    assert "张三" not in html
    assert "13812341234" not in html
    assert html.count('class="lv-btn') == 5
    assert "<details class=\"more\"><summary>更多</summary>" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_plain_form_post_records_a_web_rating(world: SimpleNamespace, client: Client) -> None:
    h = world.handling()
    token = invite(world, h)
    response = client.post(f"/r/{token}", GOOD, HTTP_USER_AGENT=UA, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200
    assert "感谢您的评价" in response.content.decode()
    row = Evaluation.objects.get(handling=h)
    assert (row.level, row.channel, row.content_codes, row.item_levels) == (
        5, "web", ["510", "511"], {"overall": 5})
    assert (row.ip, row.user_agent, row.text) == ("198.51.100.7", UA, "很方便")
    assert row.invitation is not None
    assert row.invitation.used_at is not None


@pytest.mark.parametrize(("kind", "channel"), [("link", "web"), ("sms", "sms"),
                                              ("qr_code", "qr_code")])
def test_the_rating_keeps_the_channel_the_invitation_went_out_through(
        world: SimpleNamespace, client: Client, kind: str, channel: str) -> None:
    h = world.handling()
    _, token = invitation_create(handling=h, rater=world.rater, channel=kind,
                                 ttl=timedelta(days=7))
    assert client.post(f"/r/{token}", GOOD).status_code == 200
    row = Evaluation.objects.get(handling=h)
    assert (row.channel, row.invitation.channel) == (channel, kind)


@pytest.mark.parametrize(("kind", "offline", "item"), [
    ("sms", True, "attitude"),  # an SMS link to a hall service: offline indicators
    ("qr_code", False, "convenience"),  # a receipt QR of an online service: online ones
])
def test_indicators_follow_the_handling_whatever_the_invitation(
        world: SimpleNamespace, client: Client, kind: str, offline: bool, item: str) -> None:
    h = world.handling(offline=offline)
    _, token = invitation_create(handling=h, rater=world.rater, channel=kind,
                                 ttl=timedelta(days=7))
    assert f'name="item_{item}"' in client.get(f"/r/{token}").content.decode()
    assert client.post(f"/r/{token}", {"level": "5", f"item_{item}": "4"}).status_code == 200
    assert Evaluation.objects.get(handling=h).item_levels == {item: 4}


def test_a_bad_rating_from_an_sms_link_still_needs_its_reason(world: SimpleNamespace,
                                                              client: Client) -> None:
    """Only the bare-digit SMS reply may defer its reason; the link's form may not."""
    _, token = invitation_create(handling=world.handling(), rater=world.rater, channel="sms",
                                 ttl=timedelta(days=7))
    refused_page(client, "post", f"/r/{token}", "evaluation.reason_required", 422,
                 {"level": "1"})


def test_boxes_of_another_level_are_dropped(world: SimpleNamespace, client: Client) -> None:
    h = world.handling()
    client.post(f"/r/{invite(world, h)}", {"level": "4", "content": ["510", "406"]})
    assert Evaluation.objects.get(handling=h).content_codes == ["406"]


def test_htmx_post_answers_with_the_partial(world: SimpleNamespace, client: Client) -> None:
    h = world.handling()
    response = client.post(f"/r/{invite(world, h)}", GOOD, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "感谢您的评价" in html
    assert "<html" not in html


def test_batch_invitation_rates_every_handling(world: SimpleNamespace, client: Client) -> None:
    first = world.handling(batch_no="B-1")
    second = world.handling(batch_no="B-1")
    token = invite(world, batch_no="B-1")
    html = client.get(f"/r/{token}").content.decode()
    assert "共 2 件" in html
    client.post(f"/r/{token}", GOOD)
    assert set(Evaluation.objects.values_list("handling_id", flat=True)) == {first.pk,
                                                                              second.pk}


def test_batch_invitation_leaves_another_raters_handling_alone(world: SimpleNamespace,
                                                                client: Client) -> None:
    mine = world.handling(batch_no="B-2")
    stranger = world.handling(batch_no="B-2", rater=world.other_rater)
    token = invite(world, batch_no="B-2")
    html = client.get(f"/r/{token}").content.decode()
    assert "共 2 件" not in html
    assert "李*" not in html  # the stranger's masked name
    assert client.post(f"/r/{token}", GOOD).status_code == 200
    assert list(Evaluation.objects.values_list("handling_id", flat=True)) == [mine.pk]
    stranger.refresh_from_db()
    assert stranger.rated_at is None


def test_batch_invitation_leaves_another_systems_batch_alone(world: SimpleNamespace,
                                                             client: Client) -> None:
    mine = world.handling(batch_no="B-3")
    elsewhere = world.handling(batch_no="B-3", client=world.app)
    token = invite(world, batch_no="B-3")
    html = client.get(f"/r/{token}").content.decode()
    assert elsewhere.proj_no not in html
    assert "共 2 件" not in html
    assert client.post(f"/r/{token}", GOOD).status_code == 200
    assert list(Evaluation.objects.values_list("handling_id", flat=True)) == [mine.pk]
    elsewhere.refresh_from_db()
    assert elsewhere.rated_at is None


def test_bad_rating_with_a_listed_reason(world: SimpleNamespace, client: Client) -> None:
    h = world.handling()
    client.post(f"/r/{invite(world, h)}", {"level": "1", "reason": ["other", "213"]})
    assert Evaluation.objects.get(handling=h).reason_codes == ["other", "213"]


def test_missing_reason_shows_the_form_again(world: SimpleNamespace, client: Client) -> None:
    h = world.handling()
    response = refused_page(client, "post", f"/r/{invite(world, h)}",
                            "evaluation.reason_required", 422, {"level": "2", "text": "差"})
    html = response.content.decode()
    assert 'value="2" id="r-lv2" checked' in html
    assert "提交评价" in html


def test_missing_level(world: SimpleNamespace, client: Client) -> None:
    refused_page(client, "post", f"/r/{invite(world, world.handling())}",
                 "evaluation.invalid_level", 422, {"content": ["510"]})


def test_forged_token(world: SimpleNamespace, client: Client) -> None:
    token = invite(world, world.handling())
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    refused_page(client, "get", f"/r/{forged}", "invitation.invalid", 404)
    refused_page(client, "post", f"/r/{forged}", "invitation.invalid", 404, GOOD)
    refused_page(client, "get", "/r/not-a-token", "invitation.invalid", 404)


def test_expired_token(world: SimpleNamespace, client: Client) -> None:
    h = world.handling()
    _, token = invitation_create(handling=h, rater=world.rater, channel="link",
                                 ttl=timedelta(days=1), now=timezone.now() - timedelta(days=2))
    refused_page(client, "post", f"/r/{token}", "invitation.expired", 410, GOOD)


def test_used_token(world: SimpleNamespace, client: Client) -> None:
    token = invite(world, world.handling())
    client.post(f"/r/{token}", GOOD)
    refused_page(client, "post", f"/r/{token}", "invitation.used", 409, GOOD)


def test_before_completion(world: SimpleNamespace, client: Client) -> None:
    token = invite(world, world.handling(status="in_progress"))
    refused_page(client, "get", f"/r/{token}", "evaluation.not_completed", 409)
    refused_page(client, "post", f"/r/{token}", "evaluation.not_completed", 409, GOOD)


def test_rating_window_closed(world: SimpleNamespace, client: Client) -> None:
    token = invite(world, world.handling(rating_closes_at=timezone.now() - timedelta(hours=1)))
    refused_page(client, "post", f"/r/{token}", "evaluation.window_closed", 409, GOOD)


def test_csrf_is_enforced(world: SimpleNamespace) -> None:
    strict = Client(enforce_csrf_checks=True)
    url = f"/r/{invite(world, world.handling())}"
    before = snapshot()
    response = strict.post(url, GOOD)
    assert response.status_code == 403
    assert snapshot() == before


def test_large_text_toggle_is_remembered(world: SimpleNamespace, client: Client) -> None:
    url = f"/r/{invite(world, world.handling())}"
    response = client.get(url, {"big": "1"})
    assert '<html lang="zh-Hans" class="big">' in response.content.decode()
    assert response.cookies["hcp_big"].value == "1"
    assert "退出大字版" in response.content.decode()
    assert 'class="big"' in client.get(url).content.decode()
    assert 'class="big"' not in client.get(url, {"big": "0"}).content.decode()
    assert 'class="big"' not in client.get(url).content.decode()
