"""Time and region formats of the profiles. Pure.

Times: a Java-style pattern of the six fields ``yyyy MM dd HH mm ss`` (each exactly once:
the national formats carry whole seconds and a profile may not drop any), in the
profile's time zone, or ``epoch_millis`` / ``epoch_seconds`` (an instant). Regions: our
codes are 12 digits; a 6-digit profile sends the first six and reads six back as the
county with ``000000`` appended.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo

EPOCH_FORMATS = ("epoch_millis", "epoch_seconds")
_TOKENS = {"yyyy": "%Y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}
_TOKEN_RE = re.compile("|".join(_TOKENS))
_LITERALS = set(" -/:T._")
_DIGITS = re.compile(r"[0-9]+")
# The national format, parsed without strptime (an order of magnitude faster) when the
# text has exactly its shape.
ISO_SECONDS = "%Y-%m-%d %H:%M:%S"
_ISO_SECONDS = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")
REGION_DIGITS = (6, 12)


class FormatError(ValueError):
    """A value that does not match its format (the caller names the field)."""


def time_pattern(pattern: str) -> str:
    """The ``strftime`` form of a profile's date pattern; ValueError (with a Chinese
    reason) when it is not one."""
    if pattern in EPOCH_FORMATS:
        return pattern
    seen: list[str] = []
    out: list[str] = []
    pos = 0
    for match in _TOKEN_RE.finditer(pattern):
        literal = pattern[pos:match.start()]
        if not set(literal) <= _LITERALS:
            raise ValueError(f"日期格式 “{pattern}” 含有不支持的字符 “{literal}”")
        out += [literal.replace("%", "%%"), _TOKENS[match.group()]]
        seen.append(match.group())
        pos = match.end()
    tail = pattern[pos:]
    if not set(tail) <= _LITERALS:
        raise ValueError(f"日期格式 “{pattern}” 含有不支持的字符 “{tail}”")
    out.append(tail)
    if sorted(seen) != sorted(_TOKENS):
        raise ValueError(f"日期格式 “{pattern}” 必须恰好各含一次 yyyy、MM、dd、HH、mm、ss"
                         "（或使用 epoch_millis、epoch_seconds）")
    return "".join(out)


def time_format(moment: datetime, pattern: str, zone: tzinfo) -> str | int:
    """An aware moment in a profile's format (epoch formats give an int)."""
    if not isinstance(moment, datetime):
        raise FormatError("应为时间")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise FormatError("时间缺少时区")
    if pattern == "epoch_millis":
        return int(moment.timestamp()) * 1000
    if pattern == "epoch_seconds":
        return int(moment.timestamp())
    return moment.astimezone(zone).strftime(pattern)


def time_parse(value: object, pattern: str, zone: tzinfo) -> datetime:
    """A remote's time back to an aware moment (in ``zone``); epoch formats accept a
    number or a string of digits. FormatError when it does not match."""
    if pattern in EPOCH_FORMATS:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise FormatError("时间应为整数")
        text = str(value)
        if not _DIGITS.fullmatch(text):
            raise FormatError("时间应为整数")
        seconds = int(text) // 1000 if pattern == "epoch_millis" else int(text)
        try:
            return datetime.fromtimestamp(seconds, UTC).astimezone(zone)
        except (OverflowError, OSError, ValueError):
            raise FormatError("时间超出范围") from None
    if not isinstance(value, str):
        raise FormatError("时间应为字符串")
    try:
        if pattern == ISO_SECONDS and _ISO_SECONDS.fullmatch(value):
            return datetime.fromisoformat(value).replace(tzinfo=zone)
        return datetime.strptime(value, pattern).replace(tzinfo=zone)
    except ValueError:
        raise FormatError("时间格式不符") from None


def time_normalise(moment: datetime) -> datetime:
    """What a moment reads back as: whole seconds (every format drops fractions)."""
    return moment.replace(microsecond=0)


def region_to_remote(code: str, digits: int) -> str:
    """Our region code as a profile sends it. FormatError unless 6 or 12 digits."""
    if not isinstance(code, str) or len(code) not in REGION_DIGITS \
            or not code.isascii() or not code.isdigit():
        raise FormatError("行政区划代码应为 6 位或 12 位数字")
    return region_normalise(code)[:digits]


def region_from_remote(value: object) -> str:
    """A remote's region code (6 or 12 digits, whatever the profile sends) as ours."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or len(value) not in REGION_DIGITS \
            or not value.isascii() or not value.isdigit():
        raise FormatError("行政区划代码应为 6 位或 12 位数字")
    return region_normalise(value)


def region_normalise(code: str, digits: int = 12) -> str:
    """The 12-digit code that a profile sending ``digits`` digits reads back: a 6-digit
    code is its county (``000000`` appended); a 6-digit profile drops the township and
    village part of a 12-digit one."""
    return (code[:digits] + "0" * 12)[:12]
