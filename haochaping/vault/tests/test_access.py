"""The access record of the vault (issue 17): every reveal recorded once per subject and
person, alerts to the office past the policy's thresholds, the rater's own list."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest

from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.models import PolicyOverride
from haochaping.core.errors import AppError
from haochaping.core.localtime import SHANGHAI
from haochaping.core.memo import clear_all
from haochaping.handlings.models import Rater
from haochaping.handlings.services import handling_intake
from haochaping.handlings.tests.support import national_item
from haochaping.vault.models import AccessAlert, IdentityAccess
from haochaping.vault.selectors import access_alerts_for, accesses_of_rater
from haochaping.vault.services import rater_reveal

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 9, 29, 12, 0, tzinfo=SHANGHAI)


@pytest.fixture
def rater(locality: SimpleNamespace, intake: SimpleNamespace) -> Rater:
    handling_intake(client=intake.client, items=[national_item(locality)])
    return Rater.objects.get()


def reveal(personas: SimpleNamespace, rater: Rater, subject: str,
           now: datetime = NOON, who: str = "supervisor") -> None:
    rater_reveal(actor=actor_for_user(getattr(personas, who)), rater=rater,
                 purpose="核实情况", fields=("phone",), subject=subject, now=now)


def test_alert_fires_past_the_daily_threshold_once(rater: Rater,
                                                   personas: SimpleNamespace) -> None:
    PolicyOverride.objects.create(org=None, key="reveal_daily_alert", value=2)
    clear_all()
    office = actor_for_user(personas.supervisor)
    for n in (1, 2):
        reveal(personas, rater, f"workorder:{n}")
    assert not AccessAlert.objects.exists()
    reveal(personas, rater, "workorder:3")
    alert = AccessAlert.objects.get()
    assert (alert.rule, alert.actor_id, alert.day) == ("daily", personas.supervisor.pk,
                                                       NOON.date())
    assert "3 名" in alert.text
    reveal(personas, rater, "workorder:4")  # one alert per person, rule and day
    assert AccessAlert.objects.count() == 1
    assert access_alerts_for(office, now=NOON) == [alert]
    # The department sees no alert (nor would it about itself).
    assert access_alerts_for(actor_for_user(personas.handler), now=NOON) == []


def test_alert_outside_office_hours(rater: Rater, personas: SimpleNamespace) -> None:
    reveal(personas, rater, "workorder:1", now=NOON.replace(hour=22))
    assert AccessAlert.objects.get().rule == "hours"
    assert access_alerts_for(actor_for_user(personas.supervisor), now=NOON)


def test_reveal_once_per_subject_and_person(rater: Rater, personas: SimpleNamespace) -> None:
    reveal(personas, rater, "workorder:1")
    reveal(personas, rater, "workorder:2")  # another order
    reveal(personas, rater, "workorder:1", who="handler")  # another person
    with pytest.raises(AppError) as refused:
        reveal(personas, rater, "workorder:1")
    assert refused.value.code == "rater.reveal_once"
    assert IdentityAccess.objects.count() == 3


def test_rater_list_shows_org_and_role_never_the_name(rater: Rater,
                                                      personas: SimpleNamespace) -> None:
    reveal(personas, rater, "workorder:1")
    reveal(personas, rater, "workorder:2", who="handler")
    lines = accesses_of_rater(rater.pk)
    assert [line.role for line in lines] == ["承办部门经办人", "政务服务管理机构"]
    assert lines[0].fields == "手机号"
    assert lines[0].purpose == "核实情况"
    assert personas.handler.username not in repr(lines)
    assert [line.role for line in accesses_of_rater(rater.pk, subjects=["workorder:1"])] == [
        "政务服务管理机构"]
