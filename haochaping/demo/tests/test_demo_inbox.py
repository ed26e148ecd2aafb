"""The demo's role homes and in-app notifications (issue 16): every login opens its own
home, the handler has notifications of the orders the demo walked, none names a rater."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from haochaping.demo.logins import LOGINS
from haochaping.notify.models import InboxItem, InboxPreference
from haochaping.vault.models import Rater


@pytest.mark.parametrize("username", [login.username for login in LOGINS
                                      if login.username != "monitor"])
def test_every_demo_login_opens_its_home(built: str, client: Client, username: str) -> None:
    client.force_login(get_user_model().objects.get(username=username))
    response = client.get("/")
    assert response.status_code == 200
    assert 'data-testid="topnav"' in response.content.decode()


def test_the_demo_handler_has_notifications_without_raters(built: str) -> None:
    handler: Any = get_user_model().objects.get(username="handler")
    items = InboxItem.objects.filter(user=handler)
    assert items.exists()
    assert 0 < items.filter(read_at__isnull=True).count() <= 5
    masks = set(Rater.objects.values_list("name_masked", flat=True)[:200])
    for text in InboxItem.objects.values_list("text", flat=True):
        assert not any(mask and mask in text for mask in masks)
    head = get_user_model().objects.get(username="head")
    assert InboxPreference.objects.get(user=head).sms is False
