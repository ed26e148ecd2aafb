"""Per-IP limits of the public rating pages through HTTP: past the limit a request gets
429 ``rate_limited`` with its Chinese message and writes nothing; another address is
still served."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from haochaping.evaluations.invitations import invitation_create
from haochaping.evaluations.models import Evaluation, PhoneChallenge
from haochaping.evaluations.tests.factories import PHONE, snapshot

pytestmark = pytest.mark.django_db

GOOD = {"level": "5", "content": ["510"], "item_overall": "5"}
LIMIT = 2


@pytest.fixture(autouse=True)
def _tight_limit(settings: Any) -> None:
    settings.HCP_RATE_LIMITS = {"ip": (LIMIT, 60)}
    cache.clear()


def _link(world: SimpleNamespace) -> str:
    _, token = invitation_create(handling=world.handling(), rater=world.rater,
                                 channel="link", ttl=timedelta(days=7))
    return f"/r/{token}"


def _limited(response: Any) -> None:
    assert response.status_code == 429
    html = response.content.decode()
    assert 'data-code="rate_limited"' in html
    assert "评价请求过于频繁" in html


def test_rating_links_past_the_ip_limit_are_refused(world: SimpleNamespace,
                                                    client: Client) -> None:
    for _ in range(LIMIT):
        assert client.post(_link(world), GOOD, REMOTE_ADDR="198.51.100.9").status_code == 200
    url = _link(world)
    before = snapshot()
    _limited(client.post(url, GOOD, REMOTE_ADDR="198.51.100.9"))
    assert snapshot() == before
    assert client.post(url, GOOD, REMOTE_ADDR="198.51.100.10").status_code == 200
    assert Evaluation.objects.count() == LIMIT + 1


def test_window_code_checks_past_the_ip_limit_are_refused(world: SimpleNamespace,
                                                          client: Client) -> None:
    url = f"/q/w/{world.loc.window.code}/verify"
    for _ in range(LIMIT):
        client.post(url, {"phone": PHONE, "code": "000000"}, REMOTE_ADDR="198.51.100.9")
    tries = list(PhoneChallenge.objects.values_list("pk", "attempts"))
    _limited(client.post(url, {"phone": PHONE, "code": "000000"}, REMOTE_ADDR="198.51.100.9"))
    assert list(PhoneChallenge.objects.values_list("pk", "attempts")) == tries
