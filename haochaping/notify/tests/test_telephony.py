"""The privacy-number relay (notify.telephony): backend choice, the production check,
bindings and call records stored once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from haochaping.core.checks import production_telephony
from haochaping.core.localtime import SHANGHAI
from haochaping.evaluations.tests import factories as ef
from haochaping.notify.models import RelayCall
from haochaping.notify.services.relay import relay_bind, relay_calls_sync, relay_release
from haochaping.notify.telephony import (
    ConsoleTelephony,
    FakeTelephony,
    NoTelephony,
    get_telephony,
)

NOW = datetime(2026, 9, 29, 10, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("name", "kind"), [("fake", FakeTelephony),
                                            ("console", ConsoleTelephony),
                                            ("off", NoTelephony)])
def test_backend_by_setting(settings: Any, name: str, kind: type) -> None:
    settings.HCP_TELEPHONY_BACKEND = name
    assert type(get_telephony()) is kind


def test_unknown_backend_is_refused(settings: Any) -> None:
    settings.HCP_TELEPHONY_BACKEND = "carrier-x"
    with pytest.raises(ImproperlyConfigured):
        get_telephony()


@pytest.mark.parametrize(("env", "name", "refused"), [
    ("production", "fake", True), ("production", "console", True),
    ("production", "off", False), ("demo", "console", False)])
def test_production_refuses_demo_relays(settings: Any, env: str, name: str,
                                        refused: bool) -> None:
    settings.HCP_ENV, settings.HCP_TELEPHONY_BACKEND = env, name
    assert bool(production_telephony(None)) is refused


@pytest.mark.django_db
def test_binding_and_calls_stored_once(django_user_model: Any) -> None:
    rater = ef.make_rater()
    binding, created = relay_bind(ref="workorder:1", rater=rater, caller_id=None,
                                  caller_phone="13900001111", now=NOW)
    assert created
    assert binding.status == "bound"
    assert FakeTelephony.bound[binding.binding_id] == ef.PHONE  # the platform got it
    assert relay_calls_sync("workorder:1", now=NOW) == []  # the call is not made yet
    later = NOW + timedelta(minutes=10)
    [call] = relay_calls_sync("workorder:1", now=later)
    assert call.outcome == "answered"
    assert relay_calls_sync("workorder:1", now=later) == [call]
    assert RelayCall.objects.count() == 1
    assert relay_release(binding, now=later).status == "released"
    assert binding.binding_id not in FakeTelephony.bound


@pytest.mark.django_db
def test_off_fails_every_binding(settings: Any) -> None:
    settings.HCP_TELEPHONY_BACKEND = "off"
    binding, _ = relay_bind(ref="workorder:1", rater=ef.make_rater(), caller_id=None,
                            caller_phone="13900001111", now=NOW)
    assert binding.status == "failed"
    assert binding.error == "本部署未接入隐私号平台"
    assert binding.virtual_number == ""
