"""The work-order admin is read-only (writes go through the engine), system admin only,
in Chinese, and never shows the rater."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from haochaping.workorders import services as s
from haochaping.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

PAGES = ["workorder", "escalation", "appeal", "extension", "notification"]


def test_admin_views_but_never_writes_or_shows_the_rater(client: Client,
                                                         w: SimpleNamespace) -> None:
    order = WorkOrder.objects.get(evaluation=w.rate())
    s.workorder_appeal_file(actor=w.handler, order=order, grounds="untrue", evidence="录像")
    client.force_login(w.people.admin)
    for name in PAGES:
        listing = client.get(f"/admin/workorders/{name}/")
        assert listing.status_code == 200, name
        assert client.get(f"/admin/workorders/{name}/add/").status_code == 403
    page = client.get(f"/admin/workorders/workorder/{order.pk}/change/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "办理记录" in body
    assert "appeal_file" in body
    assert w.rater.name_masked not in body
    assert w.rater.phone_masked not in body
    assert 'name="_save"' not in body  # no save button: nothing to change
    assert client.post(f"/admin/workorders/workorder/{order.pk}/delete/").status_code == 403
    assert WorkOrder.objects.filter(pk=order.pk).exists()


def test_office_users_do_not_browse_the_admin(client: Client, w: SimpleNamespace) -> None:
    w.rate()
    client.force_login(w.people.supervisor)
    assert client.get("/admin/workorders/workorder/").status_code == 403
