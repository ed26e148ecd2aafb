"""The phone-invitation staff screens (电话邀约, seed 004 §11) through the test client."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from haochaping.audit.models import AuditEvent
from haochaping.catalog.models import PolicyOverride
from haochaping.core.testing import logged_in
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.tests import factories as ef

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone_on() -> None:
    PolicyOverride.objects.create(org=None, key="phone_invitation", value=True)


def test_supervisor_lists_rates_and_the_list_empties(world: SimpleNamespace,
                                                      phone_on: None) -> None:
    h = world.handling()
    supervisor = logged_in(world.people.supervisor)
    listing = supervisor.get("/work/phone/")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert h.proj_no in text
    assert "138****1234" in text
    assert ef.PHONE not in text

    form = supervisor.get(f"/work/phone/{h.pk}/")
    assert form.status_code == 200
    assert "录入电话邀约评价" in form.content.decode()
    done = supervisor.post(f"/work/phone/{h.pk}/", {"level": "4", "content": ["406"]})
    assert done.status_code == 302
    row = Evaluation.objects.get(handling=h)
    assert (row.channel, row.level, row.entered_by_id) == ("phone", 4,
                                                            world.people.supervisor.pk)
    after = supervisor.get("/work/phone/").content.decode()
    assert f'<td class="mono">{h.proj_no}</td>' not in after
    assert "暂无待邀约的办件" in after


def test_bad_rating_without_reason_is_refused_and_writes_nothing(world: SimpleNamespace,
                                                                   phone_on: None) -> None:
    h = world.handling()
    before = ef.snapshot()
    response = logged_in(world.people.supervisor).post(f"/work/phone/{h.pk}/", {"level": "1"})
    assert response.status_code == 422
    assert "evaluation.reason_required" in response.content.decode()
    assert ef.snapshot() == before


def test_reveal_shows_the_phone_and_is_audited(world: SimpleNamespace, phone_on: None) -> None:
    h = world.handling()
    response = logged_in(world.people.supervisor).post(f"/work/phone/{h.pk}/reveal")
    assert response.status_code == 200
    assert ef.PHONE in response.content.decode()
    event = AuditEvent.objects.filter(action="rater.reveal").get()
    assert ef.PHONE not in str(event.after)


@pytest.mark.parametrize("persona", ["window_staff", "auditor", "handler"])
def test_other_roles_cannot_use_the_phone_screens(world: SimpleNamespace, phone_on: None,
                                                  persona: str) -> None:
    h = world.handling()
    user = getattr(world.people, persona)
    client = logged_in(user)
    assert client.get("/work/phone/").status_code == 403
    assert client.post(f"/work/phone/{h.pk}/", {"level": "5"}).status_code == 403
    assert not Evaluation.objects.exists()


def test_window_staff_and_auditor_never_see_the_phone(world: SimpleNamespace) -> None:
    h = world.handling()
    for persona in ("window_staff", "auditor"):
        response = logged_in(getattr(world.people, persona)).post(f"/work/phone/{h.pk}/reveal")
        assert response.status_code == 403
        assert ef.PHONE not in response.content.decode()
    assert not AuditEvent.objects.filter(action="rater.reveal").exists()


def test_outside_the_subtree_is_not_found(world: SimpleNamespace, phone_on: None) -> None:
    h = world.handling()
    response = logged_in(world.people.district_supervisor).get(f"/work/phone/{h.pk}/")
    assert response.status_code == 404


def test_login_required() -> None:
    response = Client().get("/work/phone/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
