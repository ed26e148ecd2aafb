"""core.bounds: bounded numbers and dates, as pydantic types and as the screens' parsers."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from haochaping.core.bounds import (
    BIGINT_MAX,
    FIRST_DAY,
    INT32_MAX,
    LAST_DAY,
    MAX_PAGE,
    CleanStr,
    Count,
    Day,
    Id,
    Moment,
    PageNumber,
    parse_day,
    parse_int,
    parse_moment,
)
from haochaping.core.errors import ValidationError


class Model(BaseModel):
    count: Count = 0
    key: Id = 1
    page: PageNumber = 1
    day: Day = FIRST_DAY
    moment: Moment | None = None
    text: CleanStr = ""


@pytest.mark.parametrize(("field", "value"), [
    ("count", INT32_MAX + 1), ("count", -1), ("count", 3571233207),
    ("key", 0), ("key", BIGINT_MAX + 1), ("page", MAX_PAGE + 1), ("page", 4611686018427387903),
    ("day", "0200-05-04"), ("day", "9999-12-31"), ("day", date(1999, 12, 31)),
    ("moment", "0001-01-01T00:00:00"), ("moment", datetime(2100, 1, 1)),
])
def test_values_past_their_bounds_are_refused(field: str, value: object) -> None:
    with pytest.raises(PydanticError) as caught:
        Model.model_validate({field: value})
    [error] = caught.value.errors()
    assert error["loc"] == (field,)


def test_values_inside_their_bounds_pass_and_text_is_cleaned() -> None:
    model = Model.model_validate({"count": INT32_MAX, "key": BIGINT_MAX, "page": MAX_PAGE,
                                  "day": LAST_DAY, "moment": "2026-01-01T08:00:00+08:00",
                                  "text": "a\x00b"})
    assert (model.count, model.page, model.day, model.text) == (
        INT32_MAX, MAX_PAGE, LAST_DAY, "ab")


def test_a_date_out_of_range_is_described_in_chinese() -> None:
    with pytest.raises(PydanticError) as caught:
        Model.model_validate({"day": "0200-05-04"})
    assert caught.value.errors()[0]["type"] == "date_range"
    assert "2000-01-01" in caught.value.errors()[0]["msg"]


@pytest.mark.parametrize("raw", ["0200-05-04", "2100-01-01", "yesterday", "2026-13-01"])
def test_parse_day_refuses(raw: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_day(raw, "start", code="stats.invalid_date")
    assert (caught.value.code, caught.value.field) == ("stats.invalid_date", "start")


def test_parsers_accept_and_treat_empty_as_none() -> None:
    assert parse_day(" 2026-02-03 ", "d") == date(2026, 2, 3)
    assert parse_day("", "d") is None
    assert parse_moment("2026-02-03T10:00", "t") == datetime(2026, 2, 3, 10, 0)
    assert parse_moment(None, "t") is None
    assert parse_int("42", "n") == 42
    assert parse_int(" ", "n") is None


@pytest.mark.parametrize("raw", ["4611686018427387903000", "-1", "1.5", "١٢", "²",
                                 "99999999999999999999"])
def test_parse_int_refuses(raw: str) -> None:
    with pytest.raises(ValidationError):
        parse_int(raw, "n", high=INT32_MAX)
    with pytest.raises(ValidationError):
        parse_moment("0001-01-01T00:00", "t")
