"""Normalising one intake item: field aliases, types, times, status. Pure.

Every field has our snake_case name and the names seen in provincial exchanges
(NATIONAL.md); the first name present in the item wins, ours first. Unknown keys are
ignored (exchanges carry many fields we do not use). docs/api-intake.md lists them all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from haochaping.core.errors import ItemError
from haochaping.handlings.rules.stages import STAGES_KEY, StageInput, parse_stages
from haochaping.handlings.rules.status import COMPLETED, STATUS_ALIASES
from haochaping.handlings.rules.times import (
    BAD_TIME,
    EARLIEST,
    FUTURE_TOLERANCE,
    MAX_CODE,
    parse_time,
    utc_iso,
)
from haochaping.handlings.rules.times import CODE as _CODE
from haochaping.vault.applicant import Applicant, check_applicant

__all__ = ["FIELDS", "HandlingInput", "normalise", "parse_time"]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    aliases: tuple[str, ...]
    label: str


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("proj_no", ("projectNo", "projNo", "bjbh"), "办件编号"),
    FieldSpec("matter_code", ("taskCode", "serviceCode", "itemCode"), "事项实施编码"),
    FieldSpec("matter_version", ("serviceVersion",), "事项版本"),
    FieldSpec("org_code", ("orgcode", "orgCode", "deptCode"), "办理部门编码"),
    FieldSpec("hall_code", ("hallCode",), "大厅编码"),
    FieldSpec("window_code", ("windowCode", "winCode"), "窗口编码"),
    FieldSpec("staff_no", ("proManager", "staffNo"), "经办人工号"),
    FieldSpec("status", ("proStatus",), "办件状态"),
    FieldSpec("service_channel", ("serviceChannel",), "办理渠道"),
    FieldSpec("batch_no", ("batchNo",), "批次号"),
    FieldSpec("accepted_at", ("acceptDate",), "受理时间"),
    FieldSpec("completed_at", ("resultDate",), "办结时间"),
    FieldSpec("applicant_kind", ("userProp",), "申请人类型"),
    FieldSpec("applicant_name", ("userName",), "申请人姓名或名称"),
    FieldSpec("applicant_id_type", ("userPageType",), "证件类型"),
    FieldSpec("applicant_id_no", ("certKey", "applicantCardNumber"), "证件号码"),
    FieldSpec("applicant_phone", ("telPhone", "applicantPhone"), "手机号码"),
)
CHANNELS = ("online", "offline")
# Our name first, then the aliases: the order the keys of an item are looked up.
_KEYS = {spec.name: (spec.name, *spec.aliases) for spec in FIELDS}
_CONTENT_FIELDS = tuple(s.name for s in FIELDS if not s.name.startswith("applicant_"))
# One encoder for every content hash (json.dumps with options builds one per call).
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class HandlingInput:
    proj_no: str
    matter_code: str
    matter_version: str
    org_code: str
    hall_code: str
    window_code: str
    staff_no: str
    status: str
    service_channel: str
    batch_no: str
    accepted_at: datetime
    completed_at: datetime | None
    applicant: Applicant
    # canonical field name -> the key the client sent (for error reports)
    names: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    # Stages (环节) reported with the handling (rules.stages), in the order sent.
    stages: tuple[StageInput, ...] = ()

    def canonical(self) -> bytes:
        """The normalised content, serialised stably (input of the content hash). An item
        without stages hashes as it did before stages existed."""
        data: dict[str, Any] = {name: getattr(self, name) for name in _CONTENT_FIELDS}
        data["accepted_at"] = utc_iso(self.accepted_at)
        data["completed_at"] = utc_iso(self.completed_at) if self.completed_at else None
        a = self.applicant
        data["applicant"] = [a.kind, a.name, a.id_type, a.id_no, a.phone]
        if self.stages:
            data["stages"] = [s.canonical() for s in self.stages]
        return _CANONICAL.encode(data).encode("utf-8")


def _as_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    return None


class _Reader:
    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.values: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.errors: list[ItemError] = []
        self.bad: set[str] = set()  # fields of a wrong JSON type (reported once)
        get = raw.get
        for spec in FIELDS:  # the hot loop of bulk intake, kept flat
            name = key = spec.name
            value: Any = None
            for candidate in _KEYS[name]:
                found = get(candidate)
                if found is not None and found != "":
                    key, value = candidate, found
                    break
            self.names[name] = key
            if value is None:
                text: str | None = ""
            elif type(value) is str:
                text = value.strip()
            else:
                text = _as_text(value)
            if text is None:
                self.errors.append(ItemError(key, "handling.invalid_value",
                                             f"“{spec.label}”须为字符串"))
                self.bad.add(name)
                text = ""
            self.values[name] = text

    def error(self, name: str, code: str, message: str) -> None:
        self.errors.append(ItemError(self.names[name], code, message))

    def code(self, name: str, label: str, *, required: bool) -> str:
        value = self.values[name]
        if not value:
            if required and name not in self.bad:
                self.error(name, "handling.missing_field", f"缺少{label}")
        elif len(value) > MAX_CODE or not _CODE.match(value):
            self.error(name, "handling.invalid_value",
                       f"{label}须为不超过 {MAX_CODE} 位的字母、数字或符号，且不含空格")
        return value

    def time(self, name: str, label: str, now: datetime, *, required: bool) -> datetime | None:
        value = self.values[name]
        if not value:
            if required and name not in self.bad:
                self.error(name, "handling.missing_field", f"缺少{label}")
            return None
        moment = parse_time(value)
        if moment is None or moment < EARLIEST:
            self.error(name, "handling.bad_time", f"{label}{BAD_TIME}")
            return None
        if moment > now + FUTURE_TOLERANCE:
            self.error(name, "handling.time_in_future", f"{label}晚于当前时间")
            return None
        return moment


def normalise(raw: object, *, now: datetime) -> tuple[HandlingInput | None, list[ItemError]]:
    """One item as a :class:`HandlingInput`, or the list of its problems."""
    if not isinstance(raw, Mapping):
        return None, [ItemError("", "handling.invalid_item", "每条办件须为 JSON 对象")]
    r = _Reader(raw)
    proj_no = r.code("proj_no", "办件编号", required=True)
    matter_code = r.code("matter_code", "事项实施编码", required=True)
    matter_version = r.code("matter_version", "事项版本", required=False) or "1"
    org_code = r.code("org_code", "办理部门编码", required=True)
    hall_code = r.code("hall_code", "大厅编码", required=False)
    window_code = r.code("window_code", "窗口编码", required=False)
    staff_no = r.code("staff_no", "经办人工号", required=False)
    batch_no = r.code("batch_no", "批次号", required=False)
    status = STATUS_ALIASES.get(r.values["status"], "")
    if not r.values["status"] and "status" not in r.bad:
        r.error("status", "handling.missing_field", "缺少办件状态")
    elif r.values["status"] and not status:
        r.error("status", "handling.bad_status",
                "办件状态无效，应为 accepted、in_progress、completed、withdrawn 或 1、2、3")
    channel = r.values["service_channel"] or ("offline" if window_code or hall_code
                                              else "online")
    if channel not in CHANNELS:
        r.error("service_channel", "handling.invalid_value", "办理渠道应为 online 或 offline")
    accepted_at = r.time("accepted_at", "受理时间", now, required=True)
    completed_at = r.time("completed_at", "办结时间", now, required=status == COMPLETED)
    if status != COMPLETED:
        completed_at = None  # only a completed handling has a completion time
    if accepted_at and completed_at and completed_at < accepted_at:
        r.error("completed_at", "handling.time_order", "办结时间早于受理时间")
    v = r.values
    applicant, problems = check_applicant(
        v["applicant_kind"], v["applicant_name"], v["applicant_id_type"],
        v["applicant_id_no"], v["applicant_phone"], r.names)
    r.errors.extend(problems)
    raw_stages = raw.get(STAGES_KEY)
    stages: tuple[StageInput, ...] = ()
    if raw_stages is not None:
        stages, problems = parse_stages(raw_stages, now=now)
        r.errors.extend(problems)
    if r.errors or applicant is None or accepted_at is None:
        return None, r.errors
    return HandlingInput(
        proj_no=proj_no, matter_code=matter_code, matter_version=matter_version,
        org_code=org_code, hall_code=hall_code, window_code=window_code, staff_no=staff_no,
        status=status, service_channel=channel, batch_no=batch_no, accepted_at=accepted_at,
        completed_at=completed_at, applicant=applicant, names=r.names, stages=stages), []
