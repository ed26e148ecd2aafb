"""Every answer carries the Content-Security-Policy (issue 17; tests/browser/test_csp.py
runs the pages under it)."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/accounts/login/", "/tousu/", "/api/v1/docs", "/healthz"])
def test_the_policy_is_sent(client: Client, url: str) -> None:
    policy = client.get(url)["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "object-src 'none'",
                      "frame-ancestors 'none'", "form-action 'self'", "base-uri 'self'"):
        assert directive in policy, directive
    assert "unsafe-eval" not in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
