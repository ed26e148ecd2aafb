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
    saved = AuditEvent.objects.filter(action="exchange.remote_save").count()
    others = set(Remote.objects.exclude(name="demo-national").values_list("pk", flat=True))
    call_command("demo_remote", url="http://127.0.0.1:18710/", stdout=out)
    call_command("demo_remote", url="http://127.0.0.1:18711", stdout=out)
    # the demo database may hold the demo's other remotes: one row of this name, no other new
    [remote] = Remote.objects.filter(name="demo-national")
    assert set(Remote.objects.exclude(name="demo-national").values_list("pk", flat=True)) == others
    assert (remote.name, remote.profile, remote.base_url, remote.key_env, remote.is_active) == (
        "demo-national", "national", "http://127.0.0.1:18711", "DEMO", True)
    assert AuditEvent.objects.filter(action="exchange.remote_save").count() == saved + 2
    assert "haochaping exchange check --profile national --url http://127.0.0.1:18711 " \
           in out.getvalue()
    assert "curl -X POST http://127.0.0.1:18711/_send -d '{\"url\": " \
           "\"http://127.0.0.1:8000/api/v1/exchange/demo-national\", \"kind\": \"complaint\"" \
           in out.getvalue()


def test_refused_in_production(settings: SettingsWrapper) -> None:
    settings.HCP_ENV = "production"
    before = list(Remote.objects.values_list("pk", "base_url").order_by("pk"))
    with pytest.raises(CommandError, match="production"):
        call_command("demo_remote", stdout=io.StringIO())
    assert list(Remote.objects.values_list("pk", "base_url").order_by("pk")) == before
