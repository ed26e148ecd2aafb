"""Search, sort and paging of the workbench queue and the office console (core.listing)
through HTTP: order and case numbers as text, a phone by its blind index by POST only,
never widening what a department may see."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.catalog.rules.standards import Channel
from haochaping.core.localtime import local_day
from haochaping.evaluations.reference import bad_review_reference
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.tests import factories as ef
from haochaping.workorders.models import WorkOrder
from haochaping.workorders.tests.conftest import BAD, START
from tests.factories import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(w: SimpleNamespace, django_capture_on_commit_callbacks: Any) -> list[WorkOrder]:
    """Two bad-review orders of the market department, raters with different phones."""
    w.rate()
    rater = ef.make_rater(id_no="110105198001010016", phone="13900001111", name="李四")
    other = ef.make_handling(w.loc, client=w.handling.client, rater=rater,
                             completed_at=START - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        evaluation_submit(handling=other, rating=BAD, channel=Channel.WEB)
    return list(WorkOrder.objects.order_by("pk"))


def case(order: WorkOrder) -> str:
    assert order.handling is not None
    return order.handling.proj_no


def shown(text: str, order: WorkOrder) -> bool:
    return f'data-order="{order.pk}"' in text


def test_queue_text_search(two: list[WorkOrder], w: SimpleNamespace) -> None:
    client = logged_in(w.people.handler)
    by_case = client.get("/work/orders/", {"q": case(two[1])}).content.decode()
    assert shown(by_case, two[1])
    assert not shown(by_case, two[0])
    number = str(two[0].public_id)[:8]
    by_number = client.get("/work/orders/", {"q": number}).content.decode()
    assert shown(by_number, two[0])
    assert not shown(by_number, two[1])


def test_the_readable_number_and_the_raters_reference_find_their_order(
        two: list[WorkOrder], w: SimpleNamespace) -> None:
    client = logged_in(w.people.handler)
    by_number = client.get("/work/orders/", {"q": two[1].number}).content.decode()
    assert shown(by_number, two[1])
    assert not shown(by_number, two[0])
    rating = two[0].evaluation
    assert rating is not None
    reference = bad_review_reference(rating.pk, local_day(rating.created_at))
    by_reference = client.get("/work/orders/", {"q": reference.lower()}).content.decode()
    assert shown(by_reference, two[0])
    assert not shown(by_reference, two[1])
    wrong_day = two[1].number.replace(two[1].number.split("-")[1], "19990101")
    assert not shown(client.get("/work/orders/", {"q": wrong_day}).content.decode(), two[1])
    console = logged_in(w.people.supervisor)
    found = console.get("/work/orders/console/", {"tab": "all", "q": two[1].number})
    assert found.status_code == 200


def test_queue_phone_search_by_post(two: list[WorkOrder], w: SimpleNamespace) -> None:
    client = logged_in(w.people.handler)
    moved = client.post("/work/orders/", {"q": "13900001111", "status": ""})
    assert moved.status_code == 302
    assert "13900001111" not in moved["Location"]
    text = client.get(moved["Location"]).content.decode()
    assert shown(text, two[1])
    assert not shown(text, two[0])
    assert "按手机号查询中" in text
    assert "13900001111" not in text


def test_queue_sort_and_page(two: list[WorkOrder], w: SimpleNamespace) -> None:
    client = logged_in(w.people.handler)
    up = client.get("/work/orders/", {"sort": "dispatched"}).content.decode()
    down = client.get("/work/orders/", {"sort": "-dispatched"}).content.decode()
    first, second = (f'data-order="{o.pk}"' for o in two)
    assert up.index(first) < up.index(second)
    assert down.index(second) < down.index(first)
    for query in ({"page": "0"}, {"page": "x"}, {"sort": "evaluation__rater"},
                  {"q": "%"}, {"ph": "f" * 64}):
        response = client.get("/work/orders/", query)
        assert response.status_code == 200
    assert "没有符合条件的工单" in client.get("/work/orders/", {"ph": "f" * 64}
                                           ).content.decode()


def test_search_never_widens_scope(two: list[WorkOrder], w: SimpleNamespace) -> None:
    client = logged_in(w.people.outsider)
    for query in ({"q": case(two[0])}, {"q": str(two[0].public_id)[:8]}):
        assert not shown(client.get("/work/orders/", query).content.decode(), two[0])
    moved = client.post("/work/orders/", {"q": ef.PHONE})
    assert not shown(client.get(moved["Location"]).content.decode(), two[0])


def test_console_tab_search_and_sort(two: list[WorkOrder], w: SimpleNamespace) -> None:
    client = logged_in(w.people.supervisor)
    text = client.get("/work/orders/console/",
                      {"tab": "dispatch", "q": case(two[1])}).content.decode()
    assert shown(text, two[1])
    assert not shown(text, two[0])
    moved = client.post("/work/orders/console/", {"tab": "dispatch", "q": ef.PHONE})
    assert "tab=dispatch" in moved["Location"]
    assert ef.PHONE not in moved["Location"]
    text = client.get(moved["Location"]).content.decode()
    assert shown(text, two[0])
    assert not shown(text, two[1])
    down = client.get("/work/orders/console/", {"tab": "dispatch", "sort": "-status"})
    assert down.status_code == 200
    assert 'aria-sort="descending"' in down.content.decode()
