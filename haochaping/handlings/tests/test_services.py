"""handling_intake: validation against the catalog, idempotency, transitions, deadlines,
raters deduplicated in the vault (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.test import override_settings

from haochaping.catalog.models import PolicyOverride
from haochaping.core.errors import AppError
from haochaping.handlings.models import Handling, Rater
from haochaping.handlings.services import handling_intake
from haochaping.handlings.tests.support import national_item, person_id
from tests import factories as f

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def test_create_then_unchanged_then_updated(locality: SimpleNamespace,
                                            intake: SimpleNamespace) -> None:
    accepted = national_item(locality, proStatus="2", resultDate=None)
    first = handling_intake(client=intake.client, items=[accepted])
    assert first.as_dict() == {"accepted": 1, "created": 1, "updated": 0, "unchanged": 0,
                               "errors": []}
    h = Handling.objects.get()
    stamp = h.updated_at
    again = handling_intake(client=intake.client, items=[accepted])
    assert again.count("unchanged") == 1
    h.refresh_from_db()
    assert h.updated_at == stamp
    done = handling_intake(client=intake.client, items=[national_item(locality)])
    assert done.count("updated") == 1
    h.refresh_from_db()
    assert h.status == "completed"
    assert h.updated_at > stamp
    assert h.completed_at == datetime(2025, 3, 3, 9, 30, tzinfo=SH)
    assert (h.window_id, h.hall_id, h.staff_id) == (
        locality.window.pk, locality.hall.pk, locality.staff.pk)
    assert Handling.objects.count() == 1
    assert Rater.objects.count() == 1


def test_bad_transition_writes_nothing(locality: SimpleNamespace,
                                       intake: SimpleNamespace) -> None:
    handling_intake(client=intake.client, items=[national_item(locality)])
    before = Handling.objects.values().get()
    result = handling_intake(client=intake.client,
                             items=[national_item(locality, proStatus="withdrawn")])
    assert [(e.index, e.field, e.code) for e in result.errors] == [
        (0, "proStatus", "handling.bad_transition")]
    assert Handling.objects.values().get() == before


def test_both_steps_in_one_bulk(locality: SimpleNamespace, intake: SimpleNamespace) -> None:
    result = handling_intake(client=intake.client, items=[
        national_item(locality, proStatus="2", resultDate=None), national_item(locality)])
    assert (result.count("created"), result.count("updated")) == (1, 1)
    assert Handling.objects.get().status == "completed"


@pytest.mark.parametrize(("extra", "field", "code"), [
    ({"taskCode": "NOPE"}, "taskCode", "handling.unknown_matter"),
    ({"serviceVersion": "9"}, "taskCode", "handling.unknown_matter"),
    ({"orgcode": "NOPE"}, "orgcode", "handling.unknown_org"),
    ({"orgcode": "DISTHR", "windowCode": None, "proManager": None}, "orgcode",
     "handling.org_out_of_scope"),
    ({"windowCode": "NOPE"}, "windowCode", "handling.unknown_window"),
    ({"hallCode": "NOPE"}, "hallCode", "handling.unknown_hall"),
    ({"proManager": "NOPE"}, "proManager", "handling.unknown_staff"),
])
def test_catalog_checks(locality: SimpleNamespace, intake: SimpleNamespace,
                        extra: dict[str, str | None], field: str, code: str) -> None:
    result = handling_intake(client=intake.client, items=[national_item(locality, **extra)])
    assert [(e.index, e.field, e.code) for e in result.errors] == [(0, field, code)]
    assert result.errors[0].message
    assert not Handling.objects.exists()
    assert not Rater.objects.exists()


def test_window_of_another_hall_and_staff_of_another_org(
        locality: SimpleNamespace, intake: SimpleNamespace) -> None:
    other_hall = f.make_hall(locality.city_office, name="分中心", code="HALL2")
    other_staff = f.make_staff(locality.district_hr, name="李红")
    result = handling_intake(client=intake.client, items=[
        national_item(locality, hallCode=other_hall.code),
        national_item(locality, "P2", proManager=other_staff.staff_no)])
    assert [(e.index, e.code) for e in result.errors] == [
        (0, "handling.window_not_in_hall"), (1, "handling.staff_not_of_org")]
    assert not Handling.objects.exists()


def test_bulk_limits(locality: SimpleNamespace, intake: SimpleNamespace) -> None:
    with pytest.raises(AppError) as too_many:
        handling_intake(client=intake.client, items=[{}] * 1001)
    assert (too_many.value.code, too_many.value.status) == ("handling.bulk_too_large", 413)
    with pytest.raises(AppError) as empty:
        handling_intake(client=intake.client, items=[])
    assert empty.value.code == "handling.bulk_empty"
    assert not Handling.objects.exists()


def test_rater_is_deduplicated_and_phone_updated(locality: SimpleNamespace,
                                                 intake: SimpleNamespace) -> None:
    handling_intake(client=intake.client, items=[national_item(locality, "P1"),
                                                 national_item(locality, "P2")])
    rater = Rater.objects.get()
    handling_intake(client=intake.client,
                    items=[national_item(locality, "P3", telPhone="13900139000")])
    rater.refresh_from_db()
    assert Rater.objects.count() == 1
    assert rater.phone_masked == "139****9000"
    assert set(Handling.objects.values_list("rater_id", flat=True)) == {rater.pk}


@override_settings(HCP_POLICY_PRESET="haiyang")
def test_deadlines_when_completed(locality: SimpleNamespace, intake: SimpleNamespace) -> None:
    handling_intake(client=intake.client, items=[
        national_item(locality, "P1", proStatus="2", resultDate=None),
        national_item(locality, "P2", telPhone=None)])
    pending, done = Handling.objects.order_by("proj_no")
    assert pending.invite_due_at is None
    assert pending.rating_closes_at is None
    assert done.invite_due_at is None  # no phone, no SMS
    assert done.rating_closes_at == datetime(2025, 3, 10, 23, 59, 59, 999999, tzinfo=SH)
    handling_intake(client=intake.client, items=[national_item(locality, "P1")])
    pending.refresh_from_db()
    assert pending.invite_due_at == datetime(2025, 3, 4, 9, 30, tzinfo=SH)


def test_org_override_and_withdrawn_clears(locality: SimpleNamespace,
                                           intake: SimpleNamespace) -> None:
    PolicyOverride.objects.create(org=locality.market, key="default_rating_level", value=3)
    result = handling_intake(client=intake.client, items=[
        national_item(locality, "P1"),
        national_item(locality, "P2", proStatus="2", resultDate=None),
        national_item(locality, "P2", proStatus="withdrawn", resultDate=None)])
    assert result.errors == []
    done, withdrawn = Handling.objects.order_by("proj_no")
    assert done.default_due_at == datetime(2025, 3, 10, 23, 59, 59, 999999, tzinfo=SH)
    assert withdrawn.status == "withdrawn"
    assert withdrawn.default_due_at is None


def test_pad_key_bumped_after_commit(locality: SimpleNamespace,
                                     intake: SimpleNamespace,
                                     django_capture_on_commit_callbacks: object) -> None:
    key = f"pad:window:{locality.window.pk}"
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        handling_intake(client=intake.client, items=[national_item(locality)])
    assert cache.get(key) == 1
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        handling_intake(client=intake.client, items=[national_item(locality)])
    assert cache.get(key) == 1  # unchanged re-send: no new work


def test_many_distinct_raters_in_few_queries(locality: SimpleNamespace,
                                             intake: SimpleNamespace,
                                             django_assert_max_num_queries: object) -> None:
    items = [national_item(locality, f"P{n}", certKey=person_id(n),
                           telPhone=f"139{n:08d}") for n in range(300)]
    # SQLite splits multi-row inserts at 999 parameters: a few queries per batch, none
    # per item.
    with django_assert_max_num_queries(25):  # type: ignore[operator]
        result = handling_intake(client=intake.client, items=items)
    assert result.count("created") == 300
    assert Rater.objects.count() == 300
    assert Handling.objects.count() == 300
