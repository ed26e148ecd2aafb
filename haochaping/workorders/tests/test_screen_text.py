"""Text typed into a screen form passes the same edge as the API (core.edge, core.text):
a NUL, control characters and decomposed accents never reach the database, and a bad
date in a form is a 422 in Chinese, not a 500 (issue 17)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from haochaping.workorders.models import Callback, WorkOrder
from tests.factories import logged_in

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def test_a_form_field_is_stored_clean(w: SimpleNamespace) -> None:
    w.rate()
    order = WorkOrder.objects.get()
    client = logged_in(w.people.handler)
    assert client.post(f"/work/orders/{order.pk}/act/sign", **HX).status_code == 200
    response = client.post(f"/work/orders/{order.pk}/act/callback",
                           {"method": "phone", "reached": "1",
                            "summary": "已联系\x00评价人\x1b，Jose\u0301 先生\r\n满意"}, **HX)
    assert response.status_code == 200, response.content
    assert Callback.objects.get().summary == "已联系评价人，Jos\u00e9 先生\n满意"


@pytest.mark.parametrize("raw", ["0200-05-04", "2026-02-30", "9999-01-01"])
def test_a_date_outside_the_calendar_in_a_form_is_refused(w: SimpleNamespace,
                                                          raw: str) -> None:
    w.rate()
    order = WorkOrder.objects.get()
    client = logged_in(w.people.handler)
    client.post(f"/work/orders/{order.pk}/act/sign", **HX)
    response = client.post(f"/work/orders/{order.pk}/act/extension_request",
                           {"new_due_date": raw, "reason": "材料待补"}, **HX)
    assert response.status_code == 422
    assert 'data-code="workorder.invalid_date"' in response.content.decode()
