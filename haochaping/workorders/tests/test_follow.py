"""``/workorders/follow/<token>``: the link a rater gets right after a 差评 (issue 16). It
shows 已受理 with the reference and the legal deadline until the work order exists, then
goes to the order's reply page; a forged link finds nothing and says what to do."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from haochaping.catalog.rules.standards import Channel
from haochaping.evaluations.followup import follow_token, reference_of
from haochaping.evaluations.services import evaluation_submit
from haochaping.workorders.models import WorkOrder
from haochaping.workorders.tests.conftest import BAD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    cache.clear()


def test_before_the_order_exists_then_after(w: SimpleNamespace, client: Client,
                                            run_tasks: Any) -> None:
    # the rating's task that opens the order is queued, the worker has not run it yet
    [rating] = evaluation_submit(handling=w.handling, rating=BAD, channel=Channel.WEB)
    url = f"/workorders/follow/{follow_token(rating.pk)}"
    waiting = client.get(url)
    html = waiting.content.decode()
    assert waiting.status_code == 200
    assert 'data-testid="follow-page"' in html
    assert reference_of(rating) in html
    assert re.match(r"^CP20260929-\d{6}$", reference_of(rating))
    assert "最迟" in html  # the policy's rectification limit from the rating
    assert w.loc.matter.name in html
    assert "张三" not in html
    run_tasks()  # the worker opens the order
    found = client.get(url)
    assert found.status_code == 302
    opened = WorkOrder.objects.get(handling=w.handling)
    assert found["Location"] == f"/workorders/reply/{opened.public_id}"
    page = client.get(found["Location"]).content.decode()
    assert reference_of(rating) in page


@pytest.mark.parametrize("token", ["forged", "MQ:1xagL6:nope", "a" * 300])
def test_a_forged_link_finds_nothing(w: SimpleNamespace, client: Client, token: str) -> None:
    response = client.get(f"/workorders/follow/{token}")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-code="workorder.not_found"' in html
    assert "12345" in html  # what to do: the hotline
