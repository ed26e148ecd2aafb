"""Policy and calendar overrides: services, effective-policy resolution, permissions, audit."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.accounts.scoping import Actor, actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.catalog.models import CalendarOverride, PolicyOverride
from haochaping.catalog.rules.calendar import SHANGHAI, end_of_day
from haochaping.catalog.rules.policies import Duration
from haochaping.catalog.rules.policy_presets import NATIONAL, PRESETS
from haochaping.catalog.selectors.policy import (
    ancestor_paths,
    calendar_coverage_warnings,
    calendar_overrides,
    deadline,
    effective_policy,
    policy_deadline,
)
from haochaping.catalog.services.policy import (
    calendar_override_clear,
    calendar_override_set,
    policy_override_clear,
    policy_override_set,
)
from haochaping.core.errors import NotFound, PermissionDenied, ValidationError

pytestmark = pytest.mark.django_db


def W(n: int) -> dict[str, object]:  # noqa: N802 - reads like the policy text
    return {"amount": n, "unit": "working_days"}


def D(n: int) -> dict[str, object]:  # noqa: N802
    return {"amount": n, "unit": "natural_days"}


@pytest.fixture
def actors(personas: SimpleNamespace) -> SimpleNamespace:
    return SimpleNamespace(**{name: actor_for_user(user)
                              for name, user in vars(personas).items()})


def assert_nothing_written() -> None:
    assert PolicyOverride.objects.count() == 0
    assert CalendarOverride.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_ancestor_paths_root_first() -> None:
    assert ancestor_paths("/A/B/C/") == ["/A/", "/A/B/", "/A/B/C/"]


def test_no_overrides_gives_the_deployment_preset(locality: SimpleNamespace,
                                                   settings: Any) -> None:
    assert effective_policy(locality.market) == NATIONAL
    settings.HCP_POLICY_PRESET = "haiyang"
    assert effective_policy(locality.market) == PRESETS["haiyang"]
    assert effective_policy(None) == PRESETS["haiyang"]


def test_layering_deployment_then_subtree(actors: SimpleNamespace,
                                          locality: SimpleNamespace) -> None:
    policy_override_set(actor=actors.admin, org=None, key="rectify_limit", value=D(20),
                        note="全市统一")
    policy_override_set(actor=actors.supervisor, org=locality.city_office, key="qa_required",
                        value=True)
    policy_override_set(actor=actors.district_supervisor, org=locality.district_office,
                        key="rectify_limit", value=W(5), note="区级从严")

    district_hr = effective_policy(locality.district_hr)
    assert district_hr.rectify_limit == Duration.working(5)  # nearest org wins
    assert district_hr.qa_required is True  # inherited from the city office
    market = effective_policy(locality.market)  # sibling subtree of the district
    assert market.rectify_limit == Duration.natural(20)
    assert market.qa_required is True
    deployment = effective_policy(None)
    assert deployment.rectify_limit == Duration.natural(20)
    assert deployment.qa_required is False

    # A city-level value does not reach below a district override of the same key.
    policy_override_set(actor=actors.supervisor, org=locality.city_office,
                        key="rectify_limit", value=W(10))
    assert effective_policy(locality.market).rectify_limit == Duration.working(10)
    assert effective_policy(locality.district_hr).rectify_limit == Duration.working(5)


def test_set_twice_updates_and_clear_inherits_again(actors: SimpleNamespace,
                                                   locality: SimpleNamespace) -> None:
    org = locality.market
    policy_override_set(actor=actors.supervisor, org=org, key="phone_invitation", value=True)
    policy_override_set(actor=actors.supervisor, org=org, key="phone_invitation",
                        value=False, note="暂停电话邀评")
    assert PolicyOverride.objects.get().note == "暂停电话邀评"
    policy_override_clear(actor=actors.supervisor, org=org, key="phone_invitation")
    assert PolicyOverride.objects.count() == 0
    assert effective_policy(org).phone_invitation is NATIONAL.phone_invitation

    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.action for e in events] == ["policy.override_set", "policy.override_set",
                                          "policy.override_clear"]
    assert events[0].before is None
    assert events[0].after == {"org": "MARKET", "key": "phone_invitation", "value": True,
                               "note": ""}
    assert events[1].before["value"] is True
    assert events[1].after["value"] is False
    assert events[2].before["note"] == "暂停电话邀评"
    assert events[2].after is None
    assert {e.actor_label for e in events} == {"supervisor"}


@pytest.mark.parametrize(("key", "value", "note", "code", "field"), [
    ("no_such_policy", True, "", "policy.unknown_key", "key"),
    ("qa_required", "yes", "", "policy.invalid_value", "qa_required"),
    ("rectify_limit", {"amount": 5, "unit": "weeks"}, "", "policy.invalid_value",
     "rectify_limit"),
    ("default_rating_level", 9, "", "policy.invalid_value", "default_rating_level"),
    ("qa_required", True, "说" * 201, "policy.invalid_note", "note"),
])
def test_invalid_override_is_rejected_and_nothing_written(
        actors: SimpleNamespace, locality: SimpleNamespace, key: str, value: object,
        note: str, code: str, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        policy_override_set(actor=actors.supervisor, org=locality.market, key=key,
                            value=value, note=note)
    assert info.value.code == code
    assert info.value.field == field
    assert not info.value.message.isascii()
    assert_nothing_written()


@pytest.mark.parametrize(("who", "org_name", "code"), [
    ("handler", "market", "forbidden.role"),
    ("auditor", "city_office", "forbidden.role"),
    ("window_staff", "market", "forbidden.role"),
    ("district_supervisor", "market", "forbidden.scope"),  # outside their subtree
    ("district_supervisor", "city_office", "forbidden.scope"),  # their parent
    ("supervisor", None, "forbidden.scope"),  # deployment-wide: system admin only
])
def test_override_permission(actors: SimpleNamespace, locality: SimpleNamespace, who: str,
                             org_name: str | None, code: str) -> None:
    actor: Actor = getattr(actors, who)
    org = getattr(locality, org_name) if org_name else None
    with pytest.raises(PermissionDenied) as info:
        policy_override_set(actor=actor, org=org, key="qa_required", value=True)
    assert info.value.code == code
    assert_nothing_written()


def test_supervisor_may_override_inside_their_subtree(actors: SimpleNamespace,
                                                      locality: SimpleNamespace) -> None:
    policy_override_set(actor=actors.district_supervisor, org=locality.district_hr,
                        key="qa_required", value=True)
    policy_override_set(actor=actors.supervisor, org=locality.district_hr,
                        key="callback_required", value=True)
    assert PolicyOverride.objects.filter(org=locality.district_hr).count() == 2
    with pytest.raises(PermissionDenied):
        policy_override_clear(actor=actors.handler, org=locality.district_hr,
                              key="qa_required")
    assert PolicyOverride.objects.filter(org=locality.district_hr).count() == 2


def test_clearing_a_missing_override_is_not_found(actors: SimpleNamespace,
                                                  locality: SimpleNamespace) -> None:
    with pytest.raises(NotFound) as info:
        policy_override_clear(actor=actors.supervisor, org=locality.market, key="qa_required")
    assert info.value.code == "policy.override_not_found"
    assert_nothing_written()


def test_calendar_override_set_clear_and_audit(actors: SimpleNamespace) -> None:
    day = date(2027, 1, 1)
    calendar_override_set(actor=actors.admin, day=day, is_workday=False, note="元旦")
    calendar_override_set(actor=actors.admin, day=day, is_workday=False, note="元旦（放假）")
    assert calendar_overrides([2027]) == {day: False}
    assert calendar_overrides([2026]) == {}
    calendar_override_clear(actor=actors.admin, day=day)
    assert CalendarOverride.objects.count() == 0
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.action for e in events] == ["calendar.override_set", "calendar.override_set",
                                          "calendar.override_clear"]
    assert events[1].before == {"date": "2027-01-01", "is_workday": False, "note": "元旦"}
    assert events[1].after["note"] == "元旦（放假）"


@pytest.mark.parametrize(("who", "code"), [("supervisor", "forbidden.scope"),
                                           ("handler", "forbidden.role")])
def test_calendar_is_deployment_wide_admin_only(actors: SimpleNamespace, who: str,
                                                code: str) -> None:
    with pytest.raises(PermissionDenied) as info:
        calendar_override_set(actor=getattr(actors, who), day=date(2027, 1, 1),
                              is_workday=False)
    assert info.value.code == code
    assert_nothing_written()


@pytest.mark.parametrize(("day", "is_workday", "code"), [
    ("2027-01-01", False, "calendar.invalid_date"),
    (datetime(2027, 1, 1, tzinfo=SHANGHAI), False, "calendar.invalid_date"),
    (date(2027, 1, 1), "no", "calendar.invalid_value"),
])
def test_invalid_calendar_override_rejected(actors: SimpleNamespace, day: Any,
                                            is_workday: Any, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        calendar_override_set(actor=actors.admin, day=day, is_workday=is_workday)
    assert info.value.code == code
    assert_nothing_written()


def test_deadline_uses_calendar_overrides(actors: SimpleNamespace) -> None:
    start = datetime(2026, 12, 31, 9, tzinfo=SHANGHAI)
    assert deadline(start, Duration.working(1)) == end_of_day(date(2027, 1, 1))  # fallback
    calendar_override_set(actor=actors.admin, day=date(2027, 1, 1), is_workday=False)
    assert deadline(start, Duration.working(1)) == end_of_day(date(2027, 1, 4))


def test_policy_deadline_reads_the_effective_policy(actors: SimpleNamespace,
                                                    locality: SimpleNamespace) -> None:
    start = datetime(2026, 9, 30, 10, tzinfo=SHANGHAI)
    assert policy_deadline(locality.market, "rectify_limit", start) == \
        end_of_day(date(2026, 10, 15))
    policy_override_set(actor=actors.supervisor, org=locality.market, key="rectify_limit",
                        value=W(1))
    assert policy_deadline(locality.market, "rectify_limit", start) == \
        end_of_day(date(2026, 10, 8))
    assert policy_deadline(locality.market, "invitation_delay", start) is None


def test_coverage_warnings_until_the_office_enters_the_year(actors: SimpleNamespace) -> None:
    assert calendar_coverage_warnings(date(2025, 6, 1)) == []
    warnings = calendar_coverage_warnings(date(2026, 6, 1))
    assert len(warnings) == 1
    assert warnings[0].startswith("2027 年")
    calendar_override_set(actor=actors.admin, day=date(2027, 1, 1), is_workday=False)
    assert calendar_coverage_warnings(date(2026, 6, 1)) == []
