"""Single-row catalog services: scope before and after, tree moves, audit, uniqueness."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.catalog.models import Matter, Org, Window
from haochaping.catalog.services.catalog import org_create, org_update, window_save
from haochaping.core.errors import PermissionDenied, ValidationError

DISTOFFICE = {"code": "DISTOFFICE", "name": "金水区政务服务局", "kind": "supervising",
              "level": "county", "region_code": "410105000000"}


def _state() -> tuple[list[tuple[str, str]], int]:
    return list(Org.objects.order_by("code").values_list("code", "path")), \
        AuditEvent.objects.count()


def test_move_org_moves_subtree_and_audits(personas: SimpleNamespace,
                                           locality: SimpleNamespace) -> None:
    org_update(actor=actor_for_user(personas.supervisor), org=locality.district_office,
               fields={**DISTOFFICE, "parent_code": "MARKET"})
    assert Org.objects.get(code="DISTHR").path == "/CITYOFFICE/MARKET/DISTOFFICE/DISTHR/"
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert event.action == "catalog.org.update"
    assert (event.before or {})["path"] == "/CITYOFFICE/DISTOFFICE/"
    assert (event.after or {})["path"] == "/CITYOFFICE/MARKET/DISTOFFICE/"


def test_move_under_own_child_is_a_cycle(personas: SimpleNamespace,
                                         locality: SimpleNamespace) -> None:
    before = _state()
    with pytest.raises(ValidationError) as caught:
        org_update(actor=actor_for_user(personas.admin), org=locality.district_office,
                   fields={**DISTOFFICE, "parent_code": "DISTHR"})
    assert (caught.value.code, caught.value.field) == ("catalog.cycle", "parent_code")
    assert _state() == before


def test_district_supervisor_cannot_create_outside_subtree(
        personas: SimpleNamespace) -> None:
    before = _state()
    with pytest.raises(PermissionDenied) as caught:
        org_create(actor=actor_for_user(personas.district_supervisor),
                   fields={"code": "NEW", "name": "新部门", "kind": "handling",
                           "level": "city", "region_code": "410100000000",
                           "parent_code": "MARKET"})
    assert caught.value.code == "forbidden.scope"
    assert _state() == before


def test_window_number_unique_per_hall(personas: SimpleNamespace,
                                       locality: SimpleNamespace) -> None:
    count = Window.objects.count()
    with pytest.raises(ValidationError) as caught:
        window_save(actor=actor_for_user(personas.admin), window=None,
                    fields={"code": "WNEW", "number": "1", "name": "新窗口",
                            "hall_code": locality.hall.code, "org_code": "MARKET"})
    assert (caught.value.code, caught.value.field) == ("catalog.duplicate_code", "number")
    assert Window.objects.count() == count


def test_admin_save_goes_through_the_service(personas: SimpleNamespace,
                                             locality: SimpleNamespace) -> None:
    client = Client()
    client.force_login(personas.admin)
    count = AuditEvent.objects.count()
    response = client.post(f"/admin/catalog/matter/{locality.matter.pk}/change/", data={
        "code": locality.matter.code, "impl_code": locality.matter.impl_code,
        "version": "1", "name": "改名事项", "category": "licensing",
        "org": locality.market.pk, "handling_type": "promised", "promised_days": "5",
        "legal_days": "", "is_active": "on"})
    assert response.status_code == 302
    events = list(AuditEvent.objects.order_by("seq")[count:].values_list("action", flat=True))
    assert "catalog.matter.update" in events
    assert Matter.objects.get(pk=locality.matter.pk).name == "改名事项"
    listing = client.get("/admin/catalog/org/")
    assert listing.status_code == 200
