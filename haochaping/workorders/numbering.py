"""The one readable order number (工单编号) shown on every page, SMS, notification and
export: ``<kind>-<local day of creation>-<row id, six digits at least>``, for example
``差评-20261207-000123``. Pure: no ORM.

Stable and unique by construction: the kind and the creation time never change once the
order is opened, and the row id is unique. ``public_id`` (a UUID) stays the key of the
rater's public page, where a guessable number must not open anything.
"""

from __future__ import annotations

import re
from datetime import datetime

from haochaping.core.localtime import local_day
from haochaping.workorders.rules import KIND_LABELS, Kind

_PATTERN = re.compile(r"^\s*(差评|投诉|咨询|建议)-(\d{8})-(\d{6,})\s*$")


def order_number(kind: str, created_at: datetime, pk: int) -> str:
    """The number of the order of ``kind`` created at ``created_at`` with row id ``pk``."""
    return f"{KIND_LABELS[Kind(kind)]}-{local_day(created_at):%Y%m%d}-{pk:06d}"


def number_key(text: str) -> int | None:
    """The row id a typed order number names, or None when it is not one (the caller
    still compares the whole number, so a wrong day or kind finds nothing)."""
    match = _PATTERN.match(text or "")
    return int(match.group(3)) if match else None
