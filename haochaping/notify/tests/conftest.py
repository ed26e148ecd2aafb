"""Fixtures of the notify tests: the message outbox of the console backend, the local
fake gateway (real HTTP on 127.0.0.1) and the HTTP backend settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from haochaping.notify.backends import ConsoleBackend
from haochaping.notify.tests.fake_gateway import FakeGateway

SECRET = "test-gateway-secret-0123456789"


@pytest.fixture(autouse=True)
def _clean_state() -> Iterator[None]:
    ConsoleBackend.sent.clear()
    cache.clear()
    yield
    ConsoleBackend.sent.clear()


@pytest.fixture
def gateway(settings: Any) -> Iterator[FakeGateway]:
    fake = FakeGateway(SECRET).start()
    settings.HCP_SMS_BACKEND = "http"
    settings.HCP_SMS_GATEWAY_URL = fake.url
    settings.HCP_SMS_GATEWAY_SECRET = SECRET
    settings.HCP_SMS_TIMEOUT_SECONDS = 1
    settings.HCP_SMS_MAX_ATTEMPTS = 3
    settings.HCP_SMS_RETRY_BASE_SECONDS = 10
    settings.HCP_SMS_RETRY_CAP_SECONDS = 100
    try:
        yield fake
    finally:
        fake.stop()
