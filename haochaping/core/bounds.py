"""Bounded numbers and dates for every parameter (issue 17), defined once.

A number past its column's range, a page past any row and a date such as ``0200-05-04``
reached the database or the calendar and answered 500. The API schemas type their
parameters with the annotated types below (pydantic refuses the rest with a 422 naming
the field); the screens, which read query strings and forms themselves, call the
parsers below (a ``ValidationError`` with a stable code and a Chinese message).

``tests/test_openapi_bounds.py`` holds every integer and date of the OpenAPI to a bound.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from haochaping.core.errors import ValidationError
from haochaping.core.text import clean_text

INT32_MAX = 2**31 - 1  # IntegerField, PositiveIntegerField
BIGINT_MAX = 2**63 - 1  # BigAutoField keys
# The calendar the product works in: handlings, ratings and statistics all fall inside it.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
# Deepest page a list answers: 10,000 pages of 50 rows, far past any real listing.
MAX_PAGE = 10_000
RANGE_KEY = "x-hcp-range"  # marks a bounded date in the OpenAPI (tests/test_openapi_bounds)
DAY_RANGE_TEXT = f"{FIRST_DAY.isoformat()} 至 {LAST_DAY.isoformat()}"


def day_in_range(value: date) -> bool:
    return FIRST_DAY <= value <= LAST_DAY


def _day(value: date) -> date:
    if not day_in_range(value):
        raise PydanticCustomError("date_range", "日期须在 {range} 之间",
                                  {"range": DAY_RANGE_TEXT})
    return value


def _moment(value: datetime) -> datetime:
    _day(value.date())
    return value


def _clean(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


_RANGE = {RANGE_KEY: [FIRST_DAY.isoformat(), LAST_DAY.isoformat()]}

Int32 = Annotated[int, Field(ge=-INT32_MAX - 1, le=INT32_MAX)]
Count = Annotated[int, Field(ge=0, le=INT32_MAX)]  # a PositiveIntegerField
Id = Annotated[int, Field(ge=1, le=BIGINT_MAX)]  # a row's key (or an unknown one: 404)
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE)]
Day = Annotated[date, AfterValidator(_day), Field(json_schema_extra=_RANGE)]
Moment = Annotated[datetime, AfterValidator(_moment), Field(json_schema_extra=_RANGE)]
# For a body a view parses itself (a signed webhook): the edge's text rule, as a type.
CleanStr = Annotated[str, BeforeValidator(_clean)]


# --- the screens' parsers ---------------------------------------------------------------

def is_key(text: str) -> bool:
    """ASCII digits that fit a row's key (``str.isdigit`` also takes "²", which ``int``
    refuses, and any number of digits)."""
    return text.isascii() and text.isdigit() and len(text) <= 18


def parse_day(raw: str | None, field: str, *, code: str = "invalid_date") -> date | None:
    """``YYYY-MM-DD`` inside the product's calendar; None when empty."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise ValidationError(code, "日期格式无效，请按“年-月-日”填写", field) from None
    if not day_in_range(value):
        raise ValidationError(code, f"日期须在 {DAY_RANGE_TEXT} 之间", field)
    return value


def parse_moment(raw: str | None, field: str, *, code: str = "invalid_time"
                 ) -> datetime | None:
    """An ISO date-time (a form's datetime-local) inside the calendar; None when empty.
    A naive value stays naive: the caller knows its zone."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(code, "时间格式无效", field) from None
    if not day_in_range(value.date()):
        raise ValidationError(code, f"时间须在 {DAY_RANGE_TEXT} 之间", field)
    return value


def parse_int(raw: str | None, field: str, *, low: int = 0, high: int = BIGINT_MAX,
              code: str = "invalid_number") -> int | None:
    """Decimal digits (and a leading minus when ``low`` < 0) between ``low`` and
    ``high``; None when empty."""
    text = (raw or "").strip()
    if not text:
        return None
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 19:
        raise ValidationError(code, "须为整数", field)
    value = int(text)
    if not low <= value <= high:
        raise ValidationError(code, f"须在 {low} 至 {high} 之间", field)
    return value
