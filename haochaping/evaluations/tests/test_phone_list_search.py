"""The phone-invitation list's search, filter, sort and paging (core.listing) through
HTTP: a phone is searched by its blind index and never lands in a URL."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from haochaping.catalog.models import PolicyOverride
from haochaping.evaluations.tests import factories as ef
from tests.factories import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(world: SimpleNamespace) -> list[object]:
    PolicyOverride.objects.create(org=None, key="phone_invitation", value=True)
    return [world.handling(), world.handling(rater=world.other_rater), world.handling()]


def test_text_search_and_sort(world: SimpleNamespace, rows: list) -> None:
    client = logged_in(world.people.supervisor)
    found = client.get("/work/phone/", {"q": rows[1].proj_no}).content.decode()
    assert f'data-handling="{rows[1].pk}"' in found
    assert f'data-handling="{rows[0].pk}"' not in found
    text = client.get("/work/phone/", {"sort": "-proj"}).content.decode()
    order = [text.index(f'data-handling="{r.pk}"') for r in rows]
    assert order == sorted(order, reverse=True)
    assert 'aria-sort="descending"' in text


def test_phone_search_goes_by_post_and_a_hash(world: SimpleNamespace, rows: list) -> None:
    client = logged_in(world.people.supervisor)
    moved = client.post("/work/phone/", {"q": "139 0000 1111"})
    assert moved.status_code == 302
    assert "13900001111" not in moved["Location"]
    assert "ph=" in moved["Location"]
    shown = client.get(moved["Location"]).content.decode()
    assert f'data-handling="{rows[1].pk}"' in shown
    assert f'data-handling="{rows[0].pk}"' not in shown
    assert "13900001111" not in shown
    typed = client.get("/work/phone/?q=13900001111")  # a hand-typed address: moved off
    assert typed.status_code == 302
    assert "13900001111" not in typed["Location"]


def test_paging_and_bad_input(world: SimpleNamespace, rows: list) -> None:
    for _ in range(30):
        world.handling()
    client = logged_in(world.people.supervisor)
    first = client.get("/work/phone/").content.decode()
    assert "第 1 / 2 页" in first
    assert "共 33 件" in first
    for query in ({"page": "999999999999"}, {"page": "-1"}, {"sort": "x;drop"},
                  {"org": "99999999999999999999"}, {"ph": "zz"}, {"q": "'%_\\"}):
        assert client.get("/work/phone/", query).status_code == 200


def test_department_filter_stays_in_scope(world: SimpleNamespace, rows: list) -> None:
    client = logged_in(world.people.supervisor)
    market = client.get("/work/phone/", {"org": world.loc.market.pk}).content.decode()
    assert f'data-handling="{rows[0].pk}"' in market
    other = client.get("/work/phone/", {"org": world.loc.city_office.pk}).content.decode()
    assert "没有符合条件" in other


def test_window_staff_still_refused(world: SimpleNamespace, rows: list) -> None:
    response = logged_in(world.people.window_staff).get("/work/phone/", {"q": "P"})
    assert response.status_code == 403
    assert ef.PHONE not in response.content.decode()
