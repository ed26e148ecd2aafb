"""Pure intake rules: aliases, formats, times, status machine, deadlines (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from haochaping.catalog.rules.policy_presets import NATIONAL, PRESETS
from haochaping.handlings import rules
from haochaping.handlings.rules.status import STATUS_LABELS
from haochaping.handlings.tests.support import national_item, resident_id
from haochaping.vault.applicant import resident_id_valid

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 3, 4, 12, 0, tzinfo=SH)
LOC = SimpleNamespace(
    matter=SimpleNamespace(impl_code="IMPL000001", version="1"),
    market=SimpleNamespace(code="MARKET"), window=SimpleNamespace(code="W00001"),
    staff=SimpleNamespace(staff_no="S000001"))


def _ok(raw: dict[str, Any]) -> rules.HandlingInput:
    item, errors = rules.normalise(raw, now=NOW)
    assert errors == []
    assert item is not None
    return item


def _codes(raw: object) -> list[tuple[str, str]]:
    item, errors = rules.normalise(raw, now=NOW)
    assert item is None
    return [(e.field, e.code) for e in errors]


def test_national_names_are_read() -> None:
    item = _ok(national_item(LOC))
    assert (item.proj_no, item.matter_code, item.org_code, item.window_code) == (
        "P0001", "IMPL000001", "MARKET", "W00001")
    assert item.status == "completed"
    assert item.service_channel == "offline"
    assert item.accepted_at == datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
    assert item.applicant == rules.Applicant("1", "张晓明", "111", "41010519900307123X",
                                             "13800138000")


def test_our_names_give_the_same_content_as_the_aliases() -> None:
    ours = {"proj_no": "P0001", "matter_code": "IMPL000001", "matter_version": "1",
            "org_code": "MARKET", "window_code": "W00001", "staff_no": "S000001",
            "status": "completed", "accepted_at": "2025-03-03T01:00:00Z",
            "completed_at": "2025-03-03T09:30:00+08:00", "applicant_kind": 1,
            "applicant_name": " 张晓明 ", "applicant_id_no": "41010519900307123x",
            "applicant_phone": "+86 138 0013 8000"}
    assert _ok(ours).canonical() == _ok(national_item(LOC)).canonical()


def test_canonical_changes_with_status() -> None:
    a = _ok(national_item(LOC))
    b = _ok(national_item(LOC, proStatus="2"))
    assert a.canonical() != b.canonical()
    assert b.status == "accepted"
    assert b.completed_at is None


def test_online_handling_without_window_defaults_to_online() -> None:
    item = _ok(national_item(LOC, windowCode=None, proManager=None))
    assert item.service_channel == "online"
    assert item.window_code == ""


@pytest.mark.parametrize(("extra", "expected"), [
    ({"projectNo": None}, [("proj_no", "handling.missing_field")]),
    ({"taskCode": ["x"]}, [("taskCode", "handling.invalid_value")]),
    ({"proStatus": True}, [("proStatus", "handling.invalid_value")]),
    ({"projectNo": "has space"}, [("projectNo", "handling.invalid_value")]),
    ({"proStatus": "9"}, [("proStatus", "handling.bad_status")]),
    ({"acceptDate": "03/03/2025"}, [("acceptDate", "handling.bad_time")]),
    ({"resultDate": None}, [("completed_at", "handling.missing_field")]),
    ({"resultDate": "2025-03-02 09:00:00"}, [("resultDate", "handling.time_order")]),
    ({"resultDate": "2025-03-05 09:00:00"}, [("resultDate", "handling.time_in_future")]),
    ({"certKey": "410105199003071234"}, [("certKey", "handling.bad_id_no")]),
    ({"telPhone": "12345"}, [("telPhone", "handling.bad_phone")]),
    ({"certKey": None, "telPhone": None},
     [("applicant_id_no", "handling.applicant_unidentified")]),
    ({"userProp": "7"}, [("userProp", "handling.bad_applicant_kind")]),
    ({"userName": None}, [("applicant_name", "handling.missing_field")]),
    ({"serviceChannel": "mail"}, [("serviceChannel", "handling.invalid_value")]),
])
def test_bad_items_report_field_and_code(extra: dict[str, Any],
                                         expected: list[tuple[str, str]]) -> None:
    assert _codes(national_item(LOC, **extra)) == expected


def test_non_object_item() -> None:
    assert _codes(["x"]) == [("", "handling.invalid_item")]


def test_organisation_applicant_defaults_to_credit_code() -> None:
    item = _ok(national_item(LOC, userProp="2", userName="郑州某某科技有限公司",
                             userPageType=None, certKey="91410100MA12345678"))
    assert item.applicant.id_type == "001"


@given(st.from_regex(r"[1-9][0-9]{16}", fullmatch=True))
def test_resident_id_checksum(seventeen: str) -> None:
    good = resident_id(seventeen)
    assert resident_id_valid(good)
    wrong = "0" if good[-1] != "0" else "1"
    assert not resident_id_valid(seventeen + wrong)


@pytest.mark.parametrize(("old", "new", "allowed"), [
    ("accepted", "in_progress", True), ("accepted", "completed", True),
    ("in_progress", "completed", True), ("accepted", "withdrawn", True),
    ("in_progress", "withdrawn", True), ("completed", "completed", True),
    ("in_progress", "accepted", False), ("completed", "in_progress", False),
    ("completed", "withdrawn", False), ("withdrawn", "accepted", False),
    ("withdrawn", "completed", False),
])
def test_transitions(old: str, new: str, allowed: bool) -> None:
    assert rules.transition_allowed(old, new) is allowed


def test_final_states_and_message() -> None:
    assert {"completed", "withdrawn"} == rules.FINAL
    assert set(rules.TRANSITIONS) == set(STATUS_LABELS)
    assert rules.transition_message("completed", "accepted") == (
        "办件状态不能从“已办结”变更为“已受理”")


DONE = datetime(2025, 3, 3, 9, 30, tzinfo=SH)


@pytest.mark.parametrize(("counted_in", "status", "org_id", "completed_at", "left"), [
    (None, "completed", 1, DONE, False),  # it did not count: nothing to leave
    ((1, DONE), "completed", 1, DONE, False),  # the same bucket (another window, say)
    ((1, DONE), "completed", 2, DONE, True),  # another department
    ((1, DONE), "completed", 1, DONE - timedelta(days=1), True),  # another day
    ((1, DONE), "completed", 1, DONE + timedelta(minutes=5), True),  # another time
    ((1, DONE), "withdrawn", 1, None, True),  # no longer completed
])
def test_left_bucket(counted_in: tuple[int, datetime] | None, status: str, org_id: int,
                     completed_at: datetime | None, left: bool) -> None:
    """A stored completed handling leaves the statistics bucket it counted in when a
    write changes its org, its completion time or its completed status."""
    assert rules.left_bucket(counted_in, status=status, org_id=org_id,
                             completed_at=completed_at) is left


def test_national_policy_sets_no_deadline() -> None:
    calc = rules.DeadlineCalculator({})
    assert calc.deadlines(NOW, NATIONAL, has_phone=True) == rules.NO_DEADLINES


def test_haiyang_deadlines() -> None:
    done = datetime(2025, 4, 30, 10, 0, tzinfo=SH)  # before the 1 May holidays
    due = rules.DeadlineCalculator({}).deadlines(done, PRESETS["haiyang"], has_phone=True)
    assert due.invite_due_at == done + timedelta(hours=24)  # seed 003 §9
    assert due.default_due_at is None
    # seed 003 §12: 5 working days, 1–5 May 2025 are holidays
    assert due.rating_closes_at == datetime(2025, 5, 12, 23, 59, 59, 999999, tzinfo=SH)


def test_no_sms_invitation_without_a_phone() -> None:
    due = rules.DeadlineCalculator({}).deadlines(NOW, PRESETS["haiyang"], has_phone=False)
    assert due.invite_due_at is None
    assert due.rating_closes_at is not None


def test_zhengdong_default_rating_after_seven_natural_days() -> None:
    due = rules.DeadlineCalculator({}).deadlines(NOW, PRESETS["zhengdong"], has_phone=True)
    assert due.default_due_at == datetime(2025, 3, 11, 23, 59, 59, 999999, tzinfo=SH)


def test_calendar_overrides_are_used() -> None:
    done = datetime(2025, 3, 3, 10, 0, tzinfo=SH)  # Monday
    calc = rules.DeadlineCalculator({date(2025, 3, 4): False})
    due = calc.deadlines(done, PRESETS["haiyang"], has_phone=True)
    assert due.rating_closes_at == datetime(2025, 3, 11, 23, 59, 59, 999999, tzinfo=SH)


def test_override_years() -> None:
    assert rules.override_years([]) == []
    assert rules.override_years([NOW, NOW - timedelta(days=400)]) == [2024, 2025, 2026, 2027]
