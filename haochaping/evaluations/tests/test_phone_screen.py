"""The phone-invitation staff screens (电话邀约, seed 004 §11) through the test client."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from haochaping.audit.models import AuditEvent
from haochaping.catalog.models import PolicyOverride
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.tests import factories as ef
from haochaping.vault import crypto
from tests.factories import logged_in

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


@pytest.fixture
def decrypted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The fields the vault decrypts during the test, in order."""
    opened: list[str] = []
    decrypt = crypto.decrypt_field

    def spy(field: str, *args: object) -> str:
        opened.append(field)
        return decrypt(field, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(crypto, "decrypt_field", spy)
    return opened


def test_reveal_shows_the_phone_and_is_audited(world: SimpleNamespace, phone_on: None,
                                               decrypted: list[str]) -> None:
    h = world.handling()
    supervisor = logged_in(world.people.supervisor)
    assert "查看完整手机号" in supervisor.get(f"/work/phone/{h.pk}/").content.decode()
    response = supervisor.post(f"/work/phone/{h.pk}/reveal")
    assert response.status_code == 200
    assert ef.PHONE in response.content.decode()
    assert decrypted == ["phone"]  # neither the name nor the ID number
    event = AuditEvent.objects.filter(action="rater.reveal").get()
    assert event.actor_id == world.people.supervisor.pk
    assert event.after == {"purpose": "电话邀约评价（政务服务管理机构）", "fields": ["phone"],
                           "subject": f"handling:{h.pk}"}
    assert ef.PHONE not in str(event.after)


def test_the_rated_departments_handler_cannot_reveal(world: SimpleNamespace, phone_on: None,
                                                     decrypted: list[str]) -> None:
    """The vault lets a handler reveal for work-order call-backs; the phone invitation is
    the supervising office's (the rater's identity never goes to the rated department)."""
    h = world.handling()
    assert world.people.handler.org_id == h.org_id
    client = logged_in(world.people.handler)
    for response in (client.post(f"/work/phone/{h.pk}/reveal"),
                     client.post(f"/work/phone/{h.pk}/reveal", HTTP_HX_REQUEST="true"),
                     client.get(f"/work/phone/{h.pk}/")):
        assert response.status_code == 403
        html = response.content.decode()
        assert 'data-code="forbidden.role"' in html
        assert ef.PHONE not in html
    assert decrypted == []
    assert not AuditEvent.objects.filter(action="rater.reveal").exists()


def test_the_system_admin_enters_but_never_reveals(world: SimpleNamespace, phone_on: None,
                                                   decrypted: list[str]) -> None:
    h = world.handling()
    admin = logged_in(world.people.admin)
    assert "查看完整手机号" not in admin.get(f"/work/phone/{h.pk}/").content.decode()
    response = admin.post(f"/work/phone/{h.pk}/reveal")
    assert response.status_code == 403
    assert 'data-code="rater.reveal_forbidden"' in response.content.decode()
    assert decrypted == []
    assert not AuditEvent.objects.filter(action="rater.reveal").exists()


def test_no_reveal_without_the_policy_switch(world: SimpleNamespace,
                                             decrypted: list[str]) -> None:
    h = world.handling()
    supervisor = logged_in(world.people.supervisor)
    for response in (supervisor.post(f"/work/phone/{h.pk}/reveal"),
                     supervisor.get(f"/work/phone/{h.pk}/")):
        assert response.status_code == 403
        assert 'data-code="evaluation.phone_disabled"' in response.content.decode()
    assert decrypted == []
    assert not AuditEvent.objects.filter(action="rater.reveal").exists()


def test_no_reveal_once_the_handling_is_rated(world: SimpleNamespace, phone_on: None,
                                              decrypted: list[str]) -> None:
    h = world.handling()
    supervisor = logged_in(world.people.supervisor)
    supervisor.post(f"/work/phone/{h.pk}/", {"level": "5"})
    assert Evaluation.objects.filter(handling=h).exists()
    response = supervisor.post(f"/work/phone/{h.pk}/reveal")
    assert response.status_code == 409
    assert 'data-code="evaluation.phone_not_pending"' in response.content.decode()
    assert decrypted == []
    assert not AuditEvent.objects.filter(action="rater.reveal").exists()


@pytest.mark.parametrize("persona", ["window_staff", "auditor", "handler"])
def test_other_roles_cannot_use_the_phone_screens(world: SimpleNamespace, phone_on: None,
                                                  persona: str) -> None:
    h = world.handling()
    user = getattr(world.people, persona)
    client = logged_in(user)
    assert client.get("/work/phone/").status_code == 403
    assert client.get(f"/work/phone/{h.pk}/").status_code == 403
    assert client.post(f"/work/phone/{h.pk}/", {"level": "5"}).status_code == 403
    assert client.post(f"/work/phone/{h.pk}/reveal").status_code == 403
    assert not Evaluation.objects.exists()
    assert not AuditEvent.objects.filter(action="rater.reveal").exists()


def test_window_staff_and_auditor_never_see_the_phone(world: SimpleNamespace) -> None:
    h = world.handling()
    for persona in ("window_staff", "auditor"):
        response = logged_in(getattr(world.people, persona)).post(f"/work/phone/{h.pk}/reveal")
        assert response.status_code == 403
        assert ef.PHONE not in response.content.decode()
    assert not AuditEvent.objects.filter(action="rater.reveal").exists()


def test_outside_the_subtree_is_not_found(world: SimpleNamespace, phone_on: None) -> None:
    h = world.handling()
    client = logged_in(world.people.district_supervisor)
    assert client.get(f"/work/phone/{h.pk}/").status_code == 404
    response = client.post(f"/work/phone/{h.pk}/reveal")
    assert response.status_code == 404
    assert 'data-code="handling.not_found"' in response.content.decode()
    assert not AuditEvent.objects.filter(action="rater.reveal").exists()


def test_login_required() -> None:
    response = Client().get("/work/phone/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
