"""Staff authentication (issue 17): lock-out by name and address together, the absolute
session limit, TOTP for the roles the policy names, password history and age, dormant
accounts disabled."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from haochaping.accounts.models import PasswordHistory, User
from haochaping.audit.models import AuditEvent
from haochaping.core.engine.worker import run_due
from haochaping.core.jobs import JOBS
from tests.factories import STRONG_PASSWORD

LOGIN = "/accounts/login/"
ME = "/api/v1/accounts/me"
WRONG = "Wrong-Password-99!"


def login(client: Client, username: str, password: str = STRONG_PASSWORD,
          ip: str = "127.0.0.1") -> int:
    return client.post(LOGIN, {"username": username, "password": password},
                       REMOTE_ADDR=ip).status_code


def test_a_lock_out_holds_the_name_from_that_address_only(personas: SimpleNamespace) -> None:
    attacker, colleague = Client(), Client()
    assert [login(attacker, "handler", WRONG, ip="203.0.113.7") for _ in range(5)][-1] == 429
    assert login(attacker, "handler", ip="203.0.113.7") == 429
    assert login(colleague, "handler", ip="10.1.2.3") == 302


def test_a_session_ends_twelve_hours_after_sign_in_however_active(
        personas: SimpleNamespace, client: Client) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert login(client, "handler") == 302
        for _ in range(11):
            traveller.shift(timedelta(hours=1))
            assert client.get(ME).status_code == 200
        traveller.shift(timedelta(minutes=59))
        assert client.get(ME).status_code == 200
        traveller.shift(timedelta(minutes=1))
        expired = client.get(ME)
        assert expired.status_code == 401
        assert expired.json()["code"] == "auth.session_expired"
        assert client.get(ME).status_code == 401  # signed out, not just refused once
        assert login(client, "handler") == 302
        assert client.get("/").status_code == 200


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_the_office_enrols_and_then_uses_a_second_factor(personas: SimpleNamespace,
                                                         client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.HCP_OTP_REQUIRED_ROLES = ["supervisor"]
    assert login(client, "supervisor") == 302
    page = client.get("/work/orders/console/")
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/otp/setup/?next=")
    assert client.get(ME).json()["code"] == "auth.otp_required"
    setup = client.get("/accounts/otp/setup/")
    assert "data:image/svg+xml;base64," in setup.content.decode()
    device = TOTPDevice.objects.get(user=personas.supervisor)
    wrong = client.post("/accounts/otp/setup/", {"code": "000000", "next": "/"})
    assert wrong.status_code == 400
    assert "动态口令不正确" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    with time_machine.travel(timezone.now() + timedelta(seconds=2), tick=False):
        # a wrong code throttles the device for a second (then 2, 4, 8 …)
        done = client.post("/accounts/otp/setup/", {"code": _code(device),
                                                    "next": "/work/orders/"})
    assert done.status_code == 302
    assert done["Location"] == "/work/orders/"
    assert client.get(ME).status_code == 200
    assert AuditEvent.objects.filter(action="accounts.otp_enrolled").count() == 1
    # the next sign-in asks for the code; a handler (not named by the policy) does not
    other = Client()
    assert login(other, "supervisor") == 302
    assert other.get("/")["Location"].startswith("/accounts/otp/?next=")
    assert other.post("/accounts/otp/", {"code": "123456"}).status_code == 400
    # A used code never passes twice, and a failure throttles the device for a moment:
    # the next time step's code, after the wait, passes.
    with time_machine.travel(timezone.now() + timedelta(seconds=33), tick=False):
        device.refresh_from_db()
        assert other.post("/accounts/otp/", {"code": _code(device)}).status_code == 302
    assert other.get(ME).status_code == 200
    handler = Client()
    assert login(handler, "handler") == 302
    assert handler.get(ME).status_code == 200


def test_a_password_may_not_repeat_the_recent_ones(personas: SimpleNamespace) -> None:
    user = personas.handler
    with pytest.raises(ValidationError, match="最近 5 次"):
        validate_password(STRONG_PASSWORD, user)
    passwords = [f"Fresh-Pass-{n}-2026!" for n in range(6)]
    for password in passwords:
        validate_password(password, user)
        user.set_password(password)
        user.save()
    user.refresh_from_db()
    assert user.password_changed_at is not None
    assert PasswordHistory.objects.filter(user=user).count() == 5
    with pytest.raises(ValidationError):
        validate_password(passwords[2], user)
    validate_password(passwords[0], user)  # six changes ago: allowed again


def test_an_old_password_must_be_changed_first(personas: SimpleNamespace, client: Client,
                                               settings) -> None:  # type: ignore[no-untyped-def]
    settings.HCP_PASSWORD_MAX_AGE_DAYS = 90
    User.objects.filter(pk=personas.handler.pk).update(
        password_changed_at=timezone.now() - timedelta(days=91))
    assert login(client, "handler") == 302
    assert client.get("/")["Location"].startswith("/accounts/password/?next=")
    assert client.get(ME).json()["code"] == "auth.password_expired"
    reused = client.post("/accounts/password/", {
        "old_password": STRONG_PASSWORD, "new_password1": STRONG_PASSWORD,
        "new_password2": STRONG_PASSWORD})
    assert reused.status_code == 400
    assert "最近 5 次" in reused.content.decode()
    changed = client.post("/accounts/password/", {
        "old_password": STRONG_PASSWORD, "new_password1": "Brand-New-Pass-77!",
        "new_password2": "Brand-New-Pass-77!", "next": "/"})
    assert changed.status_code == 302
    assert client.get(ME).status_code == 200
    assert AuditEvent.objects.filter(action="accounts.password_changed").exists()


@pytest.mark.django_db(transaction=True)
def test_unused_accounts_are_disabled_and_audited(personas: SimpleNamespace,
                                                  settings) -> None:  # type: ignore[no-untyped-def]
    job = next(j for j in JOBS if j.name == "accounts.dormant")
    now = timezone.now()
    settings.HCP_DORMANT_DAYS = 0
    assert run_due(now, (job,)) == {job.name: "off"}
    settings.HCP_DORMANT_DAYS = 90
    User.objects.filter(pk=personas.handler.pk).update(last_login=now - timedelta(days=91))
    User.objects.filter(pk=personas.auditor.pk).update(last_login=now - timedelta(days=10))
    User.objects.filter(pk=personas.outsider.pk).update(last_login=None,
                                                        date_joined=now - timedelta(days=120))
    assert run_due(now + timedelta(days=1), (job,)) == {job.name: "disabled 2"}
    inactive = set(User.objects.filter(is_active=False).values_list("username", flat=True))
    assert inactive == {"handler", "outsider"}
    assert AuditEvent.objects.filter(action="accounts.disabled_dormant").count() == 2
