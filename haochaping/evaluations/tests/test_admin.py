"""Admin: evaluations and invitations read-only with masked rater; device key shown once."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from haochaping.accounts.rules import hash_key
from haochaping.catalog.rules.standards import Channel
from haochaping.evaluations.models import Device
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.tests import factories as ef

pytestmark = pytest.mark.django_db


def login(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_evaluations_are_read_only_and_masked(world: SimpleNamespace) -> None:
    [row] = evaluation_submit(handling=world.handling(), rating=RatingInput(5),
                              channel=Channel.WEB)
    admin = login(world.people.supervisor)
    listing = admin.get("/admin/evaluations/evaluation/")
    assert listing.status_code == 200
    page = admin.get(f"/admin/evaluations/evaluation/{row.pk}/change/").content.decode()
    assert "张*" in page
    assert ef.PHONE not in page
    assert ef.ID_NO not in page
    assert admin.get("/admin/evaluations/evaluation/add/").status_code == 403
    assert admin.post(f"/admin/evaluations/evaluation/{row.pk}/delete/").status_code == 403
    assert login(world.people.window_staff).get(
        "/admin/evaluations/evaluation/").status_code in (302, 403)


def test_the_stage_rated_is_shown(world: SimpleNamespace) -> None:
    from haochaping.catalog.models import PolicyOverride

    PolicyOverride.objects.create(org=None, key="ratable_stages", value=["amend", "done"])
    h = world.handling()
    ef.make_stage(h, "amend")
    [row] = evaluation_submit(handling=h, rating=RatingInput(5), channel=Channel.APP,
                              stage="amend")
    [whole] = evaluation_submit(handling=h, rating=RatingInput(4), channel=Channel.APP)
    admin = login(world.people.supervisor)
    assert "补正" in admin.get(f"/admin/evaluations/evaluation/{row.pk}/change/").content.decode()
    page = admin.get(f"/admin/evaluations/evaluation/{whole.pk}/change/").content.decode()
    assert "办结（办件整体）" in page
    assert "补正" in admin.get("/admin/evaluations/evaluation/").content.decode()


def test_device_add_generates_the_key_once(world: SimpleNamespace) -> None:
    admin = login(world.people.supervisor)
    response = admin.post("/admin/evaluations/device/add/",
                          {"name": "1号窗口评价器", "kind": "evaluator",
                           "window": world.loc.window.pk}, follow=True)
    assert response.status_code == 200
    device = Device.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    [message] = [m for m in shown if "设备密钥" in m]
    raw = message.rsplit("：", 1)[1]
    assert hash_key(raw) == device.key_hash
    page = admin.get(f"/admin/evaluations/device/{device.pk}/change/").content.decode()
    assert raw not in page
    assert device.key_hash not in page
