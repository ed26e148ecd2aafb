"""Transport and caching headers (issue 17): ``check --deploy`` clean in production,
HTTPS redirect and HSTS there, ``no-store`` on every answer that does not state its
caching."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION_ENV = {
    "HCP_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48),
    "HCP_FIELD_KEYS": "k1:cHJvZC1rZXktMzItYnl0ZXMtbG9uZy1lbm91Z2gh",
    "HCP_BLIND_INDEX_KEY": "cHJvZC1ibGluZC1rZXk=",
    "HCP_AUDIT_KEYS": "k1:cHJvZC1hdWRpdC1rZXktMzItYnl0ZXMtbG9uZy1lbm91Z2g=",
    "HCP_PAD_WAIT_URL": "/pad/wait", "HCP_SMS_GATEWAY_SECRET": secrets.token_hex(16),
    "HCP_SMS_BACKEND": "http", "HCP_SMS_GATEWAY_URL": "https://sms.example.gov.cn/send",
    "ALLOWED_HOSTS": "hcp.example.gov.cn",
}


# What a test run sets that a deployment never does (the browser tests allow Django's
# synchronous ORM under Playwright's event loop: async.E001 in a deploy check).
TEST_ONLY = ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")


def _environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in TEST_ONLY}


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = _environ()
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, text=True,
                          capture_output=True, env={**clean, **env}, timeout=120, check=False)


def test_deploy_check_is_clean_in_production() -> None:
    done = _run("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


def test_deploy_check_fails_on_the_demo_configuration_in_production() -> None:
    done = _run("check", "--deploy", "--fail-level", "WARNING", HCP_ENV="production")
    assert done.returncode != 0
    assert "haochaping.E001" in done.stderr


def test_production_redirects_to_https_and_sends_hsts() -> None:
    script = ("from django.test import Client; c = Client(); "
              "r = c.get('/accounts/login/'); print(r.status_code, r['Location']); "
              "r = c.get('/accounts/login/', secure=True); "
              "print(r.status_code, r['Strict-Transport-Security']); "
              "print(c.get('/healthz').status_code)")
    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"], cwd=ROOT,
        text=True, capture_output=True, timeout=120, check=False,
        env={**_environ(), **PRODUCTION_ENV, "ALLOWED_HOSTS": "testserver",
             "DJANGO_SETTINGS_MODULE": "haochaping.settings"})
    assert done.returncode == 0, done.stderr
    redirect, hsts, health = done.stdout.splitlines()[-3:]
    assert redirect == "301 https://testserver/accounts/login/"
    assert hsts == "200 max-age=31536000; includeSubDomains"
    assert health != "301"


@pytest.mark.django_db
def test_pages_and_api_answers_are_not_stored(client: Client,
                                              personas: SimpleNamespace) -> None:
    client.force_login(personas.supervisor)
    for url in ("/", "/work/orders/", "/api/v1/accounts/me", "/accounts/login/"):
        response = client.get(url)
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url
