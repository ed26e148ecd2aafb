"""Payload builders for the handlings tests and the intake benchmark."""

from __future__ import annotations

from typing import Any

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(seventeen: str) -> str:
    """A resident ID number with the right check character for 17 leading digits."""
    total = sum(int(d) * w for d, w in zip(seventeen, _WEIGHTS, strict=True))
    return seventeen + "10X98765432"[total % 11]


def person_id(n: int) -> str:
    """A distinct valid resident ID number for each n < 10,000,000."""
    return resident_id(f"4101051990{n:07d}")


def national_item(locality: Any, proj_no: str = "P0001", **extra: Any) -> dict[str, Any]:
    """An offline, completed handling in the field names of provincial exchanges."""
    item: dict[str, Any] = {
        "projectNo": proj_no,
        "taskCode": locality.matter.impl_code,
        "serviceVersion": locality.matter.version,
        "orgcode": locality.market.code,
        "windowCode": locality.window.code,
        "proManager": locality.staff.staff_no,
        "proStatus": "3",
        "acceptDate": "2025-03-03 09:00:00",
        "resultDate": "2025-03-03 09:30:00",
        "userProp": "1",
        "userName": "张晓明",
        "userPageType": "111",
        "certKey": resident_id("41010519900307123"),
        "telPhone": "13800138000",
    }
    item.update(extra)
    return {k: v for k, v in item.items() if v is not None}
