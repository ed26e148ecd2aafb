"""Staff never rate their own org's handlings through a public link (issue 17, seed 003
§15/§24): the invitation page and the window-QR flow refuse a staff session whose subtree
holds the handling, write nothing and record the attempt; staff of another org rate as
citizens; phone-entered ratings stay the office's."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from haochaping.audit.models import AuditEvent
from haochaping.catalog.models import PolicyOverride
from haochaping.evaluations.invitations import invitation_create
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.tests.factories import PHONE, snapshot
from haochaping.notify.models import OutboxMessage
from tests.factories import logged_in

pytestmark = pytest.mark.django_db

GOOD = {"level": "5", "content": ["510"], "item_overall": "5"}
REFUSED = "工作人员不能为本单位办件评价"
ACTION = "evaluation.staff_own_org_refused"
# The handling is the market department's (郑州市市场监督管理局), under the city office.
OWN = ["window_staff", "handler", "head", "supervisor", "auditor", "monitor", "admin",
       "security", "audit_admin"]
OTHERS = ["outsider", "district_supervisor"]


@pytest.fixture(autouse=True)
def _security_stream(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    logger = logging.getLogger("haochaping.security")
    logger.addHandler(caplog.handler)
    yield
    logger.removeHandler(caplog.handler)


def invite(world: SimpleNamespace, handling: Any) -> str:
    _, token = invitation_create(handling=handling, rater=world.rater, channel="sms",
                                 ttl=timedelta(days=7))
    return token


def refused(response: Any) -> None:
    assert response.status_code == 403
    html = response.content.decode()
    assert REFUSED in html
    assert 'data-code="evaluation.staff_own_org"' in html
    assert PHONE not in html


@pytest.mark.parametrize("persona", OWN)
def test_staff_of_the_org_or_above_cannot_rate_through_the_link(
        world: SimpleNamespace, persona: str, caplog: pytest.LogCaptureFixture) -> None:
    h = world.handling()
    token = invite(world, h)
    user = getattr(world.people, persona)
    client = logged_in(user)
    before = snapshot()
    with caplog.at_level(logging.INFO, logger="haochaping.security"):
        refused(client.get(f"/r/{token}"))
        refused(client.post(f"/r/{token}", GOOD))
    assert snapshot() == before  # no rating, the link still unused
    events = AuditEvent.objects.filter(action=ACTION).order_by("pk")
    assert [(e.actor_id, e.after["method"], e.after["handling"]) for e in events] == [
        (user.pk, "GET", h.pk), (user.pk, "POST", h.pk)]
    stream = [r for r in caplog.records if r.getMessage() == "rating.staff_own_org"]
    assert [r.user_id for r in stream] == [user.pk, user.pk]  # type: ignore[attr-defined]
    # Signed out, the same browser is a rater's again and the link still works.
    client.logout()
    assert client.post(f"/r/{token}", GOOD).status_code == 200
    assert Evaluation.objects.filter(handling=h).count() == 1


@pytest.mark.parametrize("persona", OTHERS)
def test_staff_of_another_org_rate_as_citizens(world: SimpleNamespace, persona: str) -> None:
    h = world.handling()
    token = invite(world, h)
    client = logged_in(getattr(world.people, persona))
    assert client.get(f"/r/{token}").status_code == 200
    response = client.post(f"/r/{token}", GOOD)
    assert response.status_code == 200
    assert "感谢您的评价" in response.content.decode()
    assert Evaluation.objects.get(handling=h).channel == "sms"
    assert not AuditEvent.objects.filter(action=ACTION).exists()


def test_a_batch_link_is_refused_when_one_of_its_handlings_is_the_staff_s_own(
        world: SimpleNamespace) -> None:
    first = world.handling(batch_no="B-7", org=world.loc.district_hr, hall=None,
                           window=None, staff=None)
    world.handling(batch_no="B-7")  # the market's
    _, token = invitation_create(batch_no="B-7", client=world.source, rater=world.rater,
                                 channel="link", ttl=timedelta(days=7))
    before = snapshot()
    refused(logged_in(world.people.window_staff).post(f"/r/{token}", GOOD))
    assert snapshot() == before
    assert AuditEvent.objects.get(action=ACTION).after["handling"] != first.pk


def _verified_qr(world: SimpleNamespace, client: Client) -> str:
    base = f"/q/w/{world.loc.window.code}"
    assert client.post(f"{base}/start", {"phone": PHONE}).status_code == 200
    code = OutboxMessage.objects.filter(template="sms_code").latest("pk").params["code"]
    assert client.post(f"{base}/verify", {"phone": PHONE, "code": code}).status_code == 302
    return base


def test_the_window_qr_flow_refuses_the_window_s_own_staff(world: SimpleNamespace,
                                                          settings: Any) -> None:
    settings.HCP_PUBLIC_BASE_URL = "https://hcp.example.gov.cn"
    h = world.handling()
    client = logged_in(world.people.window_staff)
    base = _verified_qr(world, client)
    before = snapshot()
    refused(client.get(f"{base}/h/{h.pk}"))
    refused(client.post(f"{base}/h/{h.pk}", GOOD))
    assert snapshot() == before
    assert AuditEvent.objects.filter(action=ACTION, after__channel="qr_code").count() == 2
    client.force_login(world.people.outsider)  # same browser, same verified phone
    assert client.post(f"{base}/h/{h.pk}", GOOD).status_code == 200
    assert Evaluation.objects.get(handling=h).channel == "qr_code"


@pytest.mark.parametrize("persona", ["window_staff", "handler", "head", "auditor", "monitor",
                                     "outsider", "security", "audit_admin"])
def test_phone_entered_ratings_stay_the_office_s(world: SimpleNamespace, persona: str) -> None:
    """电话录入: only the supervising office (and the system administrator) enter a
    rating given on the phone, on the screen and through the API."""
    PolicyOverride.objects.create(org=None, key="phone_invitation", value=True)
    h = world.handling()
    client = logged_in(getattr(world.people, persona))
    before = snapshot()
    screen = client.post(f"/work/phone/{h.pk}/", {"level": "5", "content": ["510"]})
    assert screen.status_code in (403, 404)
    api = client.post("/api/v1/evaluations/phone",
                      json.dumps({"handling_id": h.pk, "level": 5, "content_codes": ["510"]}),
                      content_type="application/json")
    assert api.status_code in (403, 404)
    assert api.json()["code"] in ("evaluation.phone_entry_forbidden", "forbidden.role",
                                  "handling.not_found")
    assert snapshot() == before
    office = logged_in(world.people.supervisor).post(
        f"/work/phone/{h.pk}/", {"level": "5", "content": ["510"]})
    assert office.status_code == 302
    assert Evaluation.objects.get(handling=h).entered_by_id == world.people.supervisor.pk
