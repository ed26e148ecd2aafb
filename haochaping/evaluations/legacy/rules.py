"""Rules of importing a legacy satisfaction system's ratings (seeds 000, 001, 002: merge
the existing satisfaction ratings into 好差评, 避免重复评价). Pure Python, no ORM.

The sheet's columns (:data:`COLUMNS`, docs/import-format.md) and their cell parsers, the
key that makes the same legacy rating importable once, and :func:`decide`: what becomes
of one legacy rating given the facts of its handling. Never counted twice: a handling
with a rating of its own (given here, or imported before from any source) keeps it and
the legacy rating is reported as a duplicate; only the system's default rating, which
stands in for a rating the rater did not give here, is replaced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from haochaping.catalog.importing import rules as cells
from haochaping.catalog.importing.columns import Column
from haochaping.catalog.importing.rules import CellError
from haochaping.catalog.rules.standards import (
    CHANNEL_LABELS,
    LEVEL_LABELS,
    PF_NATIONAL,
    Channel,
    Level,
    UnknownCode,
)
from haochaping.core.localtime import SHANGHAI

MAX_SOURCE_CHARS = 64
MAX_TEXT_CHARS = 500
MAX_API_ROWS = 1000  # ratings per API call; files are read in full
STATUS_COMPLETED = "completed"
STATUS_WITHDRAWN = "withdrawn"

_LEVEL_BY_LABEL = {label: level for level, label in LEVEL_LABELS.items()}
# Every channel but the system's default can be imported: the Chinese label, the value
# (``evaluator``) or the national ``pf`` code (1–7, NATIONAL.md).
_CHANNEL_BY_NAME = {**{label: ch for ch, label in CHANNEL_LABELS.items()},
                    **{ch.value: ch for ch in Channel}}
IMPORTABLE_CHANNELS = frozenset(Channel) - {Channel.DEFAULT}
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
                 "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M")
_FRACTION = re.compile(r"\.\d+$")


def level_cell(text: str) -> int:
    """5 非常满意 … 1 非常不满意 (the 好差评 ``satisfaction`` direction), or the label."""
    if text in _LEVEL_BY_LABEL:
        return int(_LEVEL_BY_LABEL[text])
    if text in {"1", "2", "3", "4", "5"}:
        return int(text)
    raise CellError("legacy.level", "评价等级须为 1 至 5（5 为非常满意）或"
                                    "“非常满意、满意、基本满意、不满意、非常不满意”")


def channel_cell(text: str) -> str:
    channel = _CHANNEL_BY_NAME.get(text) or _CHANNEL_BY_NAME.get(text.lower())
    if channel is None and text.isdigit():
        try:
            channel = PF_NATIONAL.from_pf(text)
        except UnknownCode:
            channel = None
    if channel is None or channel not in IMPORTABLE_CHANNELS:
        raise CellError("legacy.channel", "评价渠道无效：请填写渠道名称（如 窗口评价器）或"
                                          "国家渠道代码 1–7；系统默认评价不能导入")
    return channel.value


def time_cell(text: str) -> datetime:
    """``yyyy-MM-dd HH:mm:ss`` (also ``/`` and the ISO ``T``), Beijing time unless the
    text carries an offset; an Excel date-time cell arrives as its ISO text."""
    value = _FRACTION.sub("", text.strip())
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
        for fmt in _TIME_FORMATS:
            try:
                moment = datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if moment is None or (len(value) <= 10 and ":" not in value):
        raise CellError("legacy.time", "评价时间须为 yyyy-MM-dd HH:mm:ss（北京时间）")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment


COLUMNS = [
    Column("source_id", "原系统评价编号", cells.text(100), default="",
           note="来源系统中该评价的编号；空 = 按办件编号和评价时间识别"),
    Column("proj_no", "办件编号", cells.text(64), required=True,
           note="与本系统办件的 proj_no 对应"),
    Column("client_system", "业务系统", cells.text(100), default="",
           note="推送该办件的业务系统名称；办件编号在多个业务系统中重复时必填"),
    Column("level", "评价等级", level_cell, required=True,
           note="1–5（5 非常满意 … 1 非常不满意）或等级名称"),
    Column("rated_at", "评价时间", time_cell, required=True,
           note="yyyy-MM-dd HH:mm:ss，北京时间"),
    Column("channel", "评价渠道", channel_cell, default="",
           note="渠道名称、英文值或国家渠道代码 pf 1–7；"
                "空 = 有窗口的办件为窗口评价器，其余为 PC 端"),
    Column("text", "文字评价", cells.text(MAX_TEXT_CHARS), default=""),
]


def check_source(source: str) -> str:
    source = source.strip()
    if not source or len(source) > MAX_SOURCE_CHARS:
        raise CellError("legacy.source", f"来源系统名称须为 1 至 {MAX_SOURCE_CHARS} 个字")
    return source


def legacy_key(*, source_id: str, proj_no: str, client_system: str, rated_at: datetime) -> str:
    """What identifies one legacy rating within its source: its own number, or else the
    handling and the moment it was given."""
    if source_id:
        return f"id:{source_id}"
    moment = rated_at.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M:%S")
    return f"h:{client_system}|{proj_no}|{moment}"


def channel_for(given: str, *, has_window: bool) -> Channel:
    """The given channel, or the hall's pad for a window service and the web otherwise."""
    if given:
        return Channel(given)
    return Channel.EVALUATOR if has_window else Channel.WEB


class Outcome(StrEnum):
    CREATED = "created"
    DUPLICATE = "duplicate"
    UNKNOWN = "unknown"
    INVALID = "invalid"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {Outcome.CREATED: "已导入", Outcome.DUPLICATE: "重复（未计入）",
                  Outcome.UNKNOWN: "办件不存在", Outcome.INVALID: "无效"}


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    code: str = ""
    message: str = ""
    supersedes_default: bool = False


@dataclass(frozen=True)
class CurrentFacts:
    """The handling's current rating, if it has one."""

    is_default: bool
    legacy_source: str  # "" for a rating given here


@dataclass(frozen=True)
class HandlingFacts:
    status: str
    rating_closes_at: datetime | None
    current: CurrentFacts | None


def decide(facts: HandlingFacts, *, rated_at: datetime, now: datetime) -> Verdict:
    """What one legacy rating of a found handling becomes."""
    if facts.status == STATUS_WITHDRAWN:
        return Verdict(Outcome.INVALID, "legacy.withdrawn", "该办件已撤回，不能评价")
    if facts.status != STATUS_COMPLETED:
        return Verdict(Outcome.INVALID, "legacy.not_completed", "该办件在本系统中尚未办结")
    if rated_at > now:
        return Verdict(Outcome.INVALID, "legacy.future_time", "评价时间晚于当前时间")
    if facts.rating_closes_at is not None and rated_at > facts.rating_closes_at:
        return Verdict(Outcome.INVALID, "legacy.window_closed", "评价时间晚于该办件的补充评价期限")
    current = facts.current
    if current is not None and not current.is_default:
        if current.legacy_source:
            return Verdict(Outcome.DUPLICATE, "legacy.rated_by_legacy",
                           f"该办件已有导入的历史评价（来源：{current.legacy_source}），"
                           "同一办件只计一次")
        return Verdict(Outcome.DUPLICATE, "legacy.rated_here",
                       "该办件已在本系统评价，保留本系统评价，历史评价不计入")
    return Verdict(Outcome.CREATED, supersedes_default=current is not None)


def level_label(level: int) -> str:
    return LEVEL_LABELS[Level(level)]
