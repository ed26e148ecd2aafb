"""The value checks every intake field shares: codes and times. Pure."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from haochaping.core.localtime import SHANGHAI

MAX_CODE = 64
# Clock skew tolerated between a business system and us before a time is "in the future".
FUTURE_TOLERANCE = timedelta(minutes=10)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
CODE = re.compile(r"^[\x21-\x7e]+$")  # printable ASCII, no spaces
BAD_TIME = "格式无效，应为 yyyy-MM-dd HH:mm:ss（北京时间）或 ISO 8601"


def parse_time(value: str) -> datetime | None:
    """``yyyy-MM-dd HH:mm:ss`` in Asia/Shanghai, or ISO 8601 (an offset-less ISO time is
    Asia/Shanghai too); None when unparseable."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment


def utc_iso(moment: datetime) -> str:
    """A time as it enters a content hash."""
    return moment.astimezone(UTC).isoformat()
