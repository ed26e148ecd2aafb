"""The security-event stream and JSON logs (issue 17, core.logs)."""

from __future__ import annotations

import json
import logging
import logging.config
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client

from haochaping.core.logs import logging_config, security_event

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _capture_security(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """The security logger does not propagate (its own stream): hand it caplog's handler."""
    logger = logging.getLogger("haochaping.security")
    logger.addHandler(caplog.handler)
    yield
    logger.removeHandler(caplog.handler)


def events(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "haochaping.security"]


def test_sign_in_failure_and_success_are_events_without_the_password(
        client: Client, personas: SimpleNamespace, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="haochaping.security"):
        client.post(LOGIN, {"username": "handler", "password": "Wrong-Secret-99"})
        personas.handler.set_password("Right-Secret-2026!")
        personas.handler.save()
        client.post(LOGIN, {"username": "handler", "password": "Right-Secret-2026!"})
    found = {r.getMessage(): r for r in events(caplog)}
    assert found["auth.login_failed"].username == "handler"  # type: ignore[attr-defined]
    assert found["auth.login"].user_id == personas.handler.pk  # type: ignore[attr-defined]
    assert "Wrong-Secret-99" not in caplog.text
    assert "Right-Secret-2026!" not in caplog.text


def test_refused_answers_are_events(client: Client, personas: SimpleNamespace,
                                    caplog: pytest.LogCaptureFixture) -> None:
    client.force_login(personas.window_staff)
    with caplog.at_level(logging.INFO, logger="haochaping.security"):
        status = client.get("/work/orders/console/").status_code
    assert status == 403
    [event] = [r for r in events(caplog) if r.getMessage() == "http.403"]
    assert event.user_id == personas.window_staff.pk  # type: ignore[attr-defined]
    assert event.path == "/work/orders/console/"  # type: ignore[attr-defined]


def test_lock_out_is_an_event(client: Client, personas: SimpleNamespace,
                              caplog: pytest.LogCaptureFixture, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_FAILURE_LIMIT = 2
    with caplog.at_level(logging.INFO, logger="haochaping.security"):
        for _ in range(3):
            client.post(LOGIN, {"username": "auditor", "password": "nope-nope-nope"})
    assert "auth.locked_out" in [r.getMessage() for r in events(caplog)]


def test_json_lines_and_a_separate_rotated_security_file(tmp_path: Path) -> None:
    config = logging_config(level="INFO", fmt="json", log_dir=str(tmp_path),
                            retention_days=30)
    assert config["handlers"]["security_file"]["backupCount"] == 30
    assert config["handlers"]["security_file"]["when"] == "midnight"
    try:
        logging.config.dictConfig(config)
        security_event("auth.login", user_id=7, ip="10.0.0.1")
        logging.getLogger("haochaping.other").warning("plain %s", "line")
        for handler in logging.getLogger().handlers + logging.getLogger(
                "haochaping.security").handlers:
            handler.flush()
        [line] = (tmp_path / "security.jsonl").read_text(encoding="utf-8").splitlines()
        record = json.loads(line)
        assert record["event"] == "auth.login"
        assert record["user_id"] == 7
        assert record["level"] == "INFO"
        app = (tmp_path / "app.jsonl").read_text(encoding="utf-8")
        assert "auth.login" not in app
        assert json.loads(app.splitlines()[-1])["message"] == "plain line"
    finally:
        from django.conf import settings as django_settings

        logging.config.dictConfig(django_settings.LOGGING)  # the test settings again
