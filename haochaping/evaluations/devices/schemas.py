"""Request and response bodies of the device interface v1 (docs/devices.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from haochaping.core.bounds import Id, Int32
from haochaping.evaluations.rules import MAX_TEXT_CHARS

DeviceKind = Literal["evaluator", "kiosk", "four_key"]


class DeviceIn(Schema):
    window_code: str = Field(min_length=1, max_length=32)
    kind: DeviceKind
    name: str = Field(min_length=1, max_length=100)


class DeviceOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    key_id: str
    hall: str
    window_code: str
    window_number: str
    is_active: bool
    last_seen_at: datetime | None
    agent: str
    offline: bool
    silent_minutes: int | None


class DeviceKeyOut(DeviceOut):
    key: str  # shown once


class HeartbeatIn(Schema):
    agent: str = Field(default="", max_length=100)


class DeviceWindowOut(Schema):
    """Named apart from the catalog's ``WindowOut``: the OpenAPI keys schemas by name."""

    code: str
    number: str
    name: str
    hall: str


class HeartbeatOut(Schema):
    server_time: datetime
    device_id: int
    kind: str
    window: DeviceWindowOut
    offline_after_minutes: int


class DeviceStaffOut(Schema):
    name: str
    staff_no: str


class PendingHandlingOut(Schema):
    handling_id: int
    proj_no: str
    matter: str
    org: str
    completed_at: datetime | None
    staff: DeviceStaffOut | None


class KeyOut(Schema):
    key: int
    level: int
    label: str


class WaitOut(Schema):
    url: str
    token: str


class PendingOut(Schema):
    version: str
    handling: PendingHandlingOut | None
    wait: WaitOut | None
    keys: list[KeyOut] | None  # a four-key pad's table


class DeviceRatingIn(Schema):
    handling_id: Id
    level: int | None = Field(default=None, ge=1, le=5)
    key: int | None = Field(default=None, ge=1, le=4)
    item_levels: dict[str, Int32] = Field(default_factory=dict, max_length=20)
    content_codes: list[str] = Field(default_factory=list, max_length=40)
    reason_codes: list[str] = Field(default_factory=list, max_length=40)
    text: str = Field(default="", max_length=MAX_TEXT_CHARS + 1)


class DeviceRatingOut(Schema):
    public_id: str
    proj_no: str
    level: int
    level_label: str
    channel: str
    degraded: bool
    assess_number: int
    created_at: datetime

    @staticmethod
    def resolve_public_id(obj: Any) -> str:
        return str(obj.public_id)

    @staticmethod
    def resolve_proj_no(obj: Any) -> str:
        return str(obj.handling.proj_no)

    @staticmethod
    def resolve_level_label(obj: Any) -> str:
        return str(obj.get_level_display())


class TimeOut(Schema):
    epoch: int
    server_time: datetime
