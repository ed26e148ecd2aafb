"""Stages (环节) of a handling as a business system reports them: normalising a
``stages`` list (with the handling, docs/api-intake.md) or one stage reported later
(``POST /api/v1/handlings/{proj_no}/stages``). Pure.

The stage code table is defined once, in ``catalog.rules.codes`` (``Stage``): a stage is
named by our code (``apply``) or by its national name (``nodeName``: ``申报``). A stage
is reported at most once per item: a handling has one row per stage, and reporting a
stage again corrects its time and who served it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from haochaping.catalog.rules.codes import STAGE_LABELS, Stage, stage_of
from haochaping.core.errors import ItemError
from haochaping.handlings.rules.times import (
    BAD_TIME,
    CODE,
    EARLIEST,
    FUTURE_TOLERANCE,
    MAX_CODE,
    parse_time,
    utc_iso,
)

STAGES_KEY = "stages"
MAX_STAGES = len(Stage)  # each stage at most once per item
# our name → the names seen in exchanges, looked up in this order
STAGE_FIELDS: dict[str, tuple[str, ...]] = {
    "stage": ("stage", "nodeName"),
    "at": ("at", "nodeTime"),
    "staff_no": ("staff_no", "proManager", "staffNo"),
    "window_code": ("window_code", "windowCode", "winCode"),
}
_LABELS = {"stage": "环节", "at": "环节时间", "staff_no": "经办人工号",
           "window_code": "窗口编码"}
_CHOICES = "、".join(f"{s.value}（{label}）" for s, label in STAGE_LABELS.items())


@dataclass(frozen=True)
class StageInput:
    """One reported stage: when it happened and, when known, who served it and where."""

    stage: Stage
    at: datetime
    staff_no: str = ""
    window_code: str = ""
    # our field name -> the key the client sent, with its position ("stages[1].nodeTime")
    names: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    def canonical(self) -> list[str]:
        return [self.stage.value, utc_iso(self.at), self.staff_no, self.window_code]


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def parse_stage(raw: object, *, now: datetime,
                prefix: str = "") -> tuple[StageInput | None, list[ItemError]]:
    """One stage object, or its problems; error fields are ``prefix`` + the key sent."""
    if not isinstance(raw, Mapping):
        return None, [ItemError(prefix.rstrip("."), "handling.invalid_stage",
                                "每个环节须为 JSON 对象")]
    values: dict[str, str] = {}
    names: dict[str, str] = {}
    errors: list[ItemError] = []
    for name, keys in STAGE_FIELDS.items():
        key, value = keys[0], None
        for candidate in keys:
            found = raw.get(candidate)
            if found is not None and found != "":
                key, value = candidate, found
                break
        names[name] = prefix + key
        text = "" if value is None else _text(value)
        if text is None:  # a wrong JSON type: reported once, checked no further
            errors.append(ItemError(names[name], "handling.invalid_value",
                                    f"“{_LABELS[name]}”须为字符串"))
        else:
            values[name] = text
    stage = _stage(values, names, errors)
    at = _time(values, names, now, errors)
    for name in ("staff_no", "window_code"):
        code = values.get(name, "")
        if code and (len(code) > MAX_CODE or not CODE.match(code)):
            errors.append(ItemError(names[name], "handling.invalid_value",
                                    f"{_LABELS[name]}须为不超过 {MAX_CODE} 位的字母、数字或"
                                    f"符号，且不含空格"))
    if errors or stage is None or at is None:
        return None, errors
    return StageInput(stage, at, values["staff_no"], values["window_code"], names), []


def _stage(values: dict[str, str], names: dict[str, str],
           errors: list[ItemError]) -> Stage | None:
    if "stage" not in values:
        return None
    if not values["stage"]:
        errors.append(ItemError(names["stage"], "handling.missing_field", "缺少环节"))
        return None
    stage = stage_of(values["stage"])
    if stage is None:
        errors.append(ItemError(names["stage"], "handling.unknown_stage",
                                f"未知的环节“{values['stage'][:20]}”，可选：{_CHOICES}"))
    return stage


def _time(values: dict[str, str], names: dict[str, str], now: datetime,
          errors: list[ItemError]) -> datetime | None:
    if "at" not in values:
        return None
    if not values["at"]:
        errors.append(ItemError(names["at"], "handling.missing_field", "缺少环节时间"))
        return None
    moment = parse_time(values["at"])
    if moment is None or moment < EARLIEST:
        errors.append(ItemError(names["at"], "handling.bad_time", f"环节时间{BAD_TIME}"))
        return None
    if moment > now + FUTURE_TOLERANCE:
        errors.append(ItemError(names["at"], "handling.time_in_future", "环节时间晚于当前时间"))
        return None
    return moment


def parse_stages(raw: object, *, now: datetime, prefix: str = STAGES_KEY
                 ) -> tuple[tuple[StageInput, ...], list[ItemError]]:
    """A list of stage objects (each stage at most once), or their problems."""
    if not isinstance(raw, list):
        return (), [ItemError(prefix, "handling.invalid_stages", "环节（stages）须为数组")]
    if len(raw) > MAX_STAGES:
        return (), [ItemError(prefix, "handling.invalid_stages",
                              f"每个办件最多报送 {MAX_STAGES} 个环节，本次 {len(raw)} 个")]
    found: list[StageInput] = []
    errors: list[ItemError] = []
    seen: set[Stage] = set()
    for index, item in enumerate(raw):
        stage, problems = parse_stage(item, now=now, prefix=f"{prefix}[{index}].")
        errors.extend(problems)
        if stage is None:
            continue
        if stage.stage in seen:
            errors.append(ItemError(stage.names["stage"], "handling.duplicate_stage",
                                    f"环节“{stage.stage.label}”重复报送"))
            continue
        seen.add(stage.stage)
        found.append(stage)
    return (tuple(found), []) if not errors else ((), errors)
