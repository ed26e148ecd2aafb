"""Pure rules of reported stages (环节): the ``stages`` list of an intake item and one
stage reported later (no database)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from haochaping.catalog.rules.codes import Stage
from haochaping.handlings import rules
from haochaping.handlings.tests.support import national_item

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 3, 4, 12, 0, tzinfo=SH)
LOC = SimpleNamespace(
    matter=SimpleNamespace(impl_code="IMPL000001", version="1"),
    market=SimpleNamespace(code="MARKET"), window=SimpleNamespace(code="W00001"),
    staff=SimpleNamespace(staff_no="S000001"))
APPLY = {"stage": "apply", "at": "2025-03-03 09:00:00", "window_code": "W00002",
         "staff_no": "S000002"}


def _item(**extra: Any) -> rules.HandlingInput:
    item, errors = rules.normalise(national_item(LOC, **extra), now=NOW)
    assert errors == []
    assert item is not None
    return item


def _problems(stages: object) -> list[tuple[str, str]]:
    item, errors = rules.normalise(national_item(LOC, stages=stages), now=NOW)
    assert item is None
    return [(e.field, e.code) for e in errors]


def test_stages_are_read_by_our_names_and_the_national_ones() -> None:
    ours = _item(stages=[APPLY, {"stage": "done", "at": "2025-03-03T09:30:00+08:00"}])
    national = _item(stages=[{"nodeName": "申报", "nodeTime": "2025-03-03 09:00:00",
                              "winCode": "W00002", "proManager": "S000002"},
                             {"nodeName": "办结", "nodeTime": "2025-03-03 01:30:00Z"}])
    assert ours.stages == national.stages
    assert ours.canonical() == national.canonical()
    first = ours.stages[0]
    assert (first.stage, first.at, first.window_code, first.staff_no) == (
        Stage.APPLY, datetime(2025, 3, 3, 1, 0, tzinfo=UTC), "W00002", "S000002")
    assert national.stages[0].names["window_code"] == "stages[0].winCode"


def test_an_item_without_stages_hashes_as_before_and_stages_change_the_content() -> None:
    plain = _item()
    assert plain.stages == ()
    assert b"stages" not in plain.canonical()
    assert _item(stages=[]).canonical() == plain.canonical()
    with_stage = _item(stages=[APPLY])
    assert with_stage.canonical() != plain.canonical()
    moved = _item(stages=[{**APPLY, "at": "2025-03-03 09:05:00"}])
    assert moved.canonical() != with_stage.canonical()


@pytest.mark.parametrize(("stages", "expected"), [
    ({"stage": "apply"}, [("stages", "handling.invalid_stages")]),
    ("apply", [("stages", "handling.invalid_stages")]),
    ([APPLY] * 7, [("stages", "handling.invalid_stages")]),
    (["apply"], [("stages[0]", "handling.invalid_stage")]),
    ([{"at": "2025-03-03 09:00:00"}], [("stages[0].stage", "handling.missing_field")]),
    ([{"stage": "受理", "at": "2025-03-03 09:00:00"}],
     [("stages[0].stage", "handling.unknown_stage")]),
    ([{"stage": ["apply"], "at": "2025-03-03 09:00:00"}],
     [("stages[0].stage", "handling.invalid_value")]),
    ([{"stage": "apply"}], [("stages[0].at", "handling.missing_field")]),
    ([{"nodeName": "申报", "nodeTime": "昨天"}], [("stages[0].nodeTime", "handling.bad_time")]),
    ([{"stage": "apply", "at": "1999-12-31 23:00:00"}],
     [("stages[0].at", "handling.bad_time")]),
    ([{"stage": "apply", "at": "2025-03-05 09:00:00"}],
     [("stages[0].at", "handling.time_in_future")]),
    ([{**APPLY, "staff_no": "有 空格"}], [("stages[0].staff_no", "handling.invalid_value")]),
    ([{**APPLY, "windowCode": "W 1", "window_code": None}],
     [("stages[0].windowCode", "handling.invalid_value")]),
    ([APPLY, {"nodeName": "申报", "at": "2025-03-03 09:10:00"}],
     [("stages[1].nodeName", "handling.duplicate_stage")]),
])
def test_bad_stages_refuse_the_item_with_field_and_code(
        stages: object, expected: list[tuple[str, str]]) -> None:
    assert _problems(stages) == expected


def test_every_problem_of_the_item_is_reported_at_once() -> None:
    item, errors = rules.normalise(national_item(LOC, proStatus="9", stages=[{"stage": "x"}]),
                                   now=NOW)
    assert item is None
    assert [e.code for e in errors] == ["handling.bad_status", "handling.unknown_stage",
                                        "handling.missing_field"]
    assert all(not e.message.isascii() for e in errors)


def test_one_stage_reported_later() -> None:
    stage, errors = rules.parse_stage({"nodeName": "补正", "nodeTime": "2025-03-03 10:00:00"},
                                      now=NOW)
    assert errors == []
    assert stage is not None
    assert (stage.stage, stage.staff_no, stage.window_code) == (Stage.AMEND, "", "")
    assert stage.names["at"] == "nodeTime"
    missing, errors = rules.parse_stage([], now=NOW)
    assert missing is None
    assert [(e.field, e.code) for e in errors] == [("", "handling.invalid_stage")]
