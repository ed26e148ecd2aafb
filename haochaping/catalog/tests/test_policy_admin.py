"""Admin screens for policy and calendar overrides, and the admin-index calendar warning."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.test import Client

from haochaping.audit.models import AuditEvent
from haochaping.catalog.models import CalendarOverride, PolicyOverride
from haochaping.catalog.rules.calendar import SHANGHAI

pytestmark = pytest.mark.django_db

WARNING = "工作日历数据缺失"


def policy_actions() -> list[str]:
    """Audit actions of this module (a login writes its own audit row)."""
    return list(AuditEvent.objects.filter(action__regex=r"^(policy|calendar)\.")
                .order_by("seq").values_list("action", flat=True))


@pytest.fixture
def admin_client(personas: SimpleNamespace) -> Client:
    client = Client()
    client.force_login(personas.admin)
    return client


@time_machine.travel(datetime(2026, 6, 1, 9, tzinfo=SHANGHAI), tick=False)
def test_index_warns_while_next_year_is_uncovered(admin_client: Client) -> None:
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    body = response.content.decode()
    assert WARNING in body
    assert "2027 年的法定节假日和调休数据缺失" in body


@time_machine.travel(datetime(2025, 6, 1, 9, tzinfo=SHANGHAI), tick=False)
def test_index_is_quiet_when_covered(admin_client: Client) -> None:
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert WARNING not in response.content.decode()


def test_add_override_goes_through_the_service(admin_client: Client,
                                               locality: SimpleNamespace) -> None:
    response = admin_client.post("/admin/catalog/policyoverride/add/", {
        "org": locality.market.pk, "key": "rectify_limit",
        "value": '{"unit": "working_days", "amount": 5}', "note": "从严"})
    assert response.status_code == 302
    row = PolicyOverride.objects.get()
    assert row.value == {"amount": 5, "unit": "working_days"}
    assert policy_actions() == ["policy.override_set"]

    listing = admin_client.get("/admin/catalog/policyoverride/").content.decode()
    assert "5 个工作日" in listing
    detail = admin_client.get(f"/admin/catalog/policyoverride/{row.pk}/change/")
    assert "该机构全部生效政策" in detail.content.decode()


def test_bad_value_is_shown_on_the_form_and_nothing_written(admin_client: Client,
                                                            locality: SimpleNamespace) -> None:
    response = admin_client.post("/admin/catalog/policyoverride/add/", {
        "org": locality.market.pk, "key": "qa_required", "value": "5", "note": ""})
    assert response.status_code == 200
    assert "须为 true 或 false" in response.content.decode()
    assert PolicyOverride.objects.count() == 0
    assert policy_actions() == []


def test_delete_override_is_audited(admin_client: Client, locality: SimpleNamespace) -> None:
    admin_client.post("/admin/catalog/policyoverride/add/", {
        "org": "", "key": "phone_invitation", "value": "true", "note": ""})
    row = PolicyOverride.objects.get()
    response = admin_client.post(f"/admin/catalog/policyoverride/{row.pk}/delete/",
                                 {"post": "yes"})
    assert response.status_code == 302
    assert PolicyOverride.objects.count() == 0
    assert policy_actions() == ["policy.override_set", "policy.override_clear"]


@time_machine.travel(datetime(2026, 6, 1, 9, tzinfo=SHANGHAI), tick=False)
def test_calendar_day_added_in_admin(admin_client: Client) -> None:
    listing = admin_client.get("/admin/catalog/calendaroverride/").content.decode()
    assert "2027 年的法定节假日和调休数据缺失" in listing
    response = admin_client.post("/admin/catalog/calendaroverride/add/", {
        "date": "2027-01-01", "is_workday": "", "note": "元旦"})
    assert response.status_code == 302
    assert CalendarOverride.objects.get().date == date(2027, 1, 1)
    assert policy_actions() == ["calendar.override_set"]
    assert WARNING not in admin_client.get("/admin/").content.decode()
