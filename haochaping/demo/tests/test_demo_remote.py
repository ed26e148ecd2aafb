"""``demo_remote``: the demo's Remote row pointing at the fake remote, saved through the
audited service, the same row on a second run, refused in production."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pytest_django.fixtures import SettingsWrapper

from haochaping.audit.models import AuditEvent
from haochaping.exchange.models import Remote

pytestmark = pytest.mark.django_db


def test_the_demo_remote_points_at_the_fake_remote_with_the_demo_keys() -> None:
    out = io.StringIO()
    call_command("demo_remote", url="http://127.0.0.1:18710/", stdout=out)
    call_command("demo_remote", url="http://127.0.0.1:18711", stdout=out)
    [remote] = Remote.objects.all()
    assert (remote.name, remote.profile, remote.base_url, remote.key_env, remote.is_active) == (
        "demo-national", "national", "http://127.0.0.1:18711", "DEMO", True)
    assert AuditEvent.objects.filter(action="exchange.remote_save").count() == 2
    assert "haochaping exchange check --profile national --url http://127.0.0.1:18711 " \
           in out.getvalue()
    assert "curl -X POST http://127.0.0.1:18711/_send -d '{\"url\": " \
           "\"http://127.0.0.1:8000/api/v1/exchange/demo-national\", \"kind\": \"complaint\"" \
           in out.getvalue()


def test_refused_in_production(settings: SettingsWrapper) -> None:
    settings.HCP_ENV = "production"
    with pytest.raises(CommandError, match="production"):
        call_command("demo_remote", stdout=io.StringIO())
    assert not Remote.objects.exists()
