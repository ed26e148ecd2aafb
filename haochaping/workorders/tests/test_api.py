"""The work-order API: session users, JSON error envelope, nothing written on rejection."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from haochaping.workorders.models import WorkOrder
from haochaping.workorders.tests.conftest import snapshot

pytestmark = pytest.mark.django_db


def logged_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_list_detail_actions_and_sign(w: SimpleNamespace) -> None:
    w.rate()
    order = WorkOrder.objects.get()
    handler = logged_in(w.people.handler)
    listed = handler.get("/api/v1/workorders/").json()
    assert [o["id"] for o in listed] == [order.pk]
    detail = handler.get(f"/api/v1/workorders/{order.pk}").json()
    assert detail["actions"] == ["sign", "appeal_file"]
    assert detail["rater_phone"] == w.rater.phone_masked
    assert detail["events"][0]["action"] == "open"
    response = handler.post(f"/api/v1/workorders/{order.pk}/sign",
                            {"complexity": "simple"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == "signed"


@pytest.mark.parametrize(("persona", "path", "body", "status", "code"), [
    ("handler", "sign", {"complexity": "hard"}, 422, "invalid_request"),
    ("handler", "review", {"passed": True}, 403, "workorder.wrong_party"),
    ("supervisor", "sign", {}, 403, "workorder.wrong_party"),
    ("outsider", "sign", {}, 404, "workorder.not_found"),
    ("window_staff", "sign", {}, 404, "workorder.not_found"),
    ("handler", "callback", {"method": "phone", "reached": True, "summary": "x"}, 409,
     "workorder.invalid_transition"),
])
def test_rejections_use_the_envelope_and_write_nothing(
        w: SimpleNamespace, persona: str, path: str, body: dict[str, object], status: int,
        code: str) -> None:
    w.rate()
    order = WorkOrder.objects.get()
    client = logged_in(getattr(w.people, persona))
    before = snapshot()  # after the login, which is audited itself
    response = client.post(
        f"/api/v1/workorders/{order.pk}/{path}", body, content_type="application/json")
    assert response.status_code == status
    assert response.json()["code"] == code
    assert snapshot() == before


def test_anonymous_is_refused(w: SimpleNamespace) -> None:
    w.rate()
    assert Client().get("/api/v1/workorders/").status_code == 401
