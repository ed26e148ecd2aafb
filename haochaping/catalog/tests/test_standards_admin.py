"""The standards admin: pages render; activation goes through the service."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from haochaping.audit.models import AuditEvent
from haochaping.catalog.models import StandardVersion

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/catalog/standardversion/"


def _activate(client: Client, *versions: StandardVersion) -> str:
    response = client.post(CHANGELIST, {"action": "activate_version",
                                        "_selected_action": [v.pk for v in versions]},
                           follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_admin_pages_render(client: Client, personas: SimpleNamespace) -> None:
    client.force_login(personas.admin)
    current = StandardVersion.objects.get(is_active=True)
    assert client.get(CHANGELIST).status_code == 200
    page = client.get(f"{CHANGELIST}{current.pk}/change/")
    assert page.status_code == 200
    assert "一窗受理一次办结" in page.content.decode()


def test_admin_action_activates_through_the_service(client: Client,
                                                    personas: SimpleNamespace) -> None:
    client.force_login(personas.admin)
    retired = StandardVersion.objects.get(code="national-2020")
    assert "已启用" in _activate(client, retired)
    assert StandardVersion.objects.get(is_active=True) == retired
    assert AuditEvent.objects.filter(action="standard.activate").count() == 1


def test_admin_action_refuses_a_supervisor(client: Client, personas: SimpleNamespace) -> None:
    personas.supervisor.is_superuser = True  # admin-site access is not the business role
    personas.supervisor.save()
    client.force_login(personas.supervisor)
    page = _activate(client, StandardVersion.objects.get(code="national-2020"))
    assert "当前角色无权执行此操作" in page
    assert StandardVersion.objects.get(is_active=True).code == "national-v2"
    assert not AuditEvent.objects.filter(action="standard.activate").exists()


def test_admin_action_refuses_two_versions(client: Client, personas: SimpleNamespace) -> None:
    client.force_login(personas.admin)
    assert "请只选择一个版本启用" in _activate(client, *StandardVersion.objects.all())
    assert StandardVersion.objects.get(is_active=True).code == "national-v2"
    assert not AuditEvent.objects.filter(action="standard.activate").exists()
