"""The office's screen 上级转办: tabs of forwarded items, parked ratings and refused
messages (scoped), and the dispatch form."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from haochaping.exchange.models import ForwardedItem
from haochaping.exchange.rules.canonical import Kind
from haochaping.exchange.tests.inbound.support import complaint, post, rating, signed
from haochaping.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
PAGE = "/work/exchange/inbound/"


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def sent(down: SimpleNamespace) -> SimpleNamespace:
    post(Client(), signed(Kind.COMPLAINT, [complaint(org_code=down.loc.market.code,
                                                     content="办事指南与窗口要求不一致")]),
         kind="complaint")
    post(Client(), signed(Kind.RATING, [rating("NOT-YET-01", down.loc.market.code)]))
    post(Client(), signed(Kind.RATING, [rating(down.handling.proj_no, down.loc.market.code)]),
         headers={})  # unsigned: refused and logged
    return down


def test_tabs(sent: SimpleNamespace) -> None:
    office = client_of(sent.people.supervisor)
    page = office.get(PAGE).content.decode()
    assert 'data-testid="inbound-received"' in page
    assert "办事指南与窗口要求不一致" in page
    assert 'data-testid="count-parked">1<' in page
    assert 'data-testid="count-rejected">1<' in page
    parked = office.get(PAGE + "?tab=parked", headers={"HX-Request": "true"}).content.decode()
    assert "NOT-YET-01" in parked
    assert "待匹配办件" in parked
    assert "<html" not in parked
    rejected = office.get(PAGE + "?tab=rejected").content.decode()
    assert "exchange.unsigned" in rejected
    assert "张三" not in rejected


def test_scope(sent: SimpleNamespace) -> None:
    district = client_of(sent.people.district_supervisor).get(PAGE + "?tab=received")
    assert district.status_code == 200
    assert "办事指南与窗口要求不一致" not in district.content.decode()  # the city's item
    assert 'data-testid="count-rejected">0<' in district.content.decode()  # deployment log
    for who in ("handler", "auditor", "window_staff"):
        response = client_of(getattr(sent.people, who)).get(PAGE)
        assert response.status_code == 403
        assert "forbidden.role" in response.content.decode()


def test_dispatch_form(sent: SimpleNamespace) -> None:
    item = ForwardedItem.objects.get()
    office = client_of(sent.people.supervisor)
    url = f"{PAGE}items/{item.pk}/dispatch"
    refused = office.post(url, {"org_id": ""}, headers={"HX-Request": "true"})
    assert refused.status_code == 422
    assert 'data-code="exchange.dispatch_org"' in refused.content.decode()
    assert not WorkOrder.objects.exists()
    done = office.post(url, {"org_id": str(sent.loc.market.pk)},
                       headers={"HX-Request": "true"})
    assert done.status_code == 200
    assert 'data-status="dispatched"' in done.content.decode()
    order = WorkOrder.objects.get()
    assert (order.kind, order.org_id) == ("complaint", sent.loc.market.pk)
    again = office.post(url, {"org_id": str(sent.loc.market.pk)})
    assert again.status_code == 409
    assert WorkOrder.objects.count() == 1
    dispatched = office.get(PAGE + "?tab=dispatched").content.decode()
    assert f"/work/orders/{order.pk}/" in dispatched
