"""Login protections: lock-out after 5 failures, idle session expiry, login audit."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import time_machine
from django.test import Client
from django.utils import timezone

from haochaping.audit.models import AuditEvent
from tests.factories import STRONG_PASSWORD

LOGIN = "/accounts/login/"
ME = "/api/v1/accounts/me"
WRONG = "Wrong-Password-99!"


def login(client: Client, username: str, password: str) -> int:
    return client.post(LOGIN, {"username": username, "password": password}).status_code


def audit_text() -> str:
    return str(list(AuditEvent.objects.values_list("actor_label", "object_id", "before",
                                                   "after")))


def test_login_page_is_chinese(db: object, client: Client) -> None:
    page = client.get(LOGIN).content.decode()
    assert "工作人员登录" in page
    assert 'autocomplete="current-password"' in page


def test_successful_login_is_audited(personas: SimpleNamespace, client: Client) -> None:
    assert login(client, "handler", STRONG_PASSWORD) == 302
    event = AuditEvent.objects.get(action="accounts.login")
    assert event.actor_id == personas.handler.pk
    assert event.ip == "127.0.0.1"
    assert STRONG_PASSWORD not in audit_text()


def test_failed_login_shows_a_chinese_error_and_is_audited(personas: SimpleNamespace,
                                                           client: Client) -> None:
    response = client.post(LOGIN, {"username": "handler", "password": WRONG})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    event = AuditEvent.objects.get(action="accounts.login_failed")
    assert event.after == {"username": "handler"}
    assert WRONG not in audit_text()


def test_five_failures_lock_the_user_for_thirty_minutes(personas: SimpleNamespace,
                                                        client: Client) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert [login(client, "handler", WRONG) for _ in range(4)] == [200] * 4
        locked = client.post(LOGIN, {"username": "handler", "password": WRONG})
        assert locked.status_code == 429
        assert "账号已临时锁定" in locked.content.decode()
        # the right password does not help while locked
        assert login(client, "handler", STRONG_PASSWORD) == 429
        # other users are not affected: the lock is per user name
        assert login(client, "auditor", STRONG_PASSWORD) == 302
        client.logout()
        assert AuditEvent.objects.filter(action="accounts.login_locked_out").exists()
        assert AuditEvent.objects.filter(action="accounts.login_failed").count() >= 5
        assert WRONG not in audit_text()
        assert STRONG_PASSWORD not in audit_text()
        traveller.shift(timedelta(minutes=29))
        assert login(client, "handler", STRONG_PASSWORD) == 429
        # every attempt during the lock counts as a failure and restarts the 30 minutes
        traveller.shift(timedelta(minutes=2))
        assert login(client, "handler", STRONG_PASSWORD) == 429
        traveller.shift(timedelta(minutes=30, seconds=1))
        assert login(client, "handler", STRONG_PASSWORD) == 302


def test_session_expires_after_two_idle_hours(personas: SimpleNamespace, client: Client) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert login(client, "handler", STRONG_PASSWORD) == 302
        traveller.shift(timedelta(hours=1, minutes=59))
        assert client.get(ME).status_code == 200
        # the request above restarted the idle clock
        traveller.shift(timedelta(hours=1, minutes=59))
        assert client.get(ME).status_code == 200
        traveller.shift(timedelta(hours=2, seconds=1))
        expired = client.get(ME)
        assert expired.status_code == 401
        assert expired.json()["code"] == "auth.missing_credentials"
