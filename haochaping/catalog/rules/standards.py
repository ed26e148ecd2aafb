"""Evaluation levels, channels and the national exchange code tables (NATIONAL.md).

Pure data and arithmetic, no ORM. The versioned content items live in the database
(``catalog.StandardVersion``); :func:`validate_content_codes` takes them as plain data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum


class UnknownCode(ValueError):
    """A code that the named code table does not contain."""

    def __init__(self, table: str, code: object) -> None:
        super().__init__(f"{table}: 未知代码 {code!r}")
        self.table = table
        self.code = code


# --- levels ---------------------------------------------------------------------------


class Level(IntEnum):
    """评价等级 (seed 003 §6): 5 is best; 1–2 are 差评."""

    VERY_SATISFIED = 5
    SATISFIED = 4
    BASICALLY_SATISFIED = 3
    DISSATISFIED = 2
    VERY_DISSATISFIED = 1

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]

    @property
    def is_bad(self) -> bool:
        return is_bad(self)


LEVEL_LABELS: dict[Level, str] = {
    Level.VERY_SATISFIED: "非常满意",
    Level.SATISFIED: "满意",
    Level.BASICALLY_SATISFIED: "基本满意",
    Level.DISSATISFIED: "不满意",
    Level.VERY_DISSATISFIED: "非常不满意",
}

LEVEL_CHOICES: list[tuple[int, str]] = [(level.value, level.label) for level in Level]


# The bad-review threshold, defined here once (seed 003 §6: 后两个等级为“差评”) and
# imported by every rule, query, index and SQL string that tells a 差评 from the rest.
BAD_LEVEL_MAX: int = Level.DISSATISFIED.value
BAD_LEVELS: tuple[int, ...] = tuple(v.value for v in Level if v.value <= BAD_LEVEL_MAX)
SATISFIED_LEVELS: tuple[int, ...] = tuple(v.value for v in Level if v.value > BAD_LEVEL_MAX)


def is_bad(level: Level | int) -> bool:
    """差评 are the two lowest levels (seed 003 §6: 后两个等级为“差评”)."""
    return int(Level(level)) <= BAD_LEVEL_MAX


# The 好差评 interface ``satisfaction`` field and GB/T 39046-2020 A.8 count in opposite
# directions; both tables are spelled out so neither is derived by arithmetic by accident.
SATISFACTION_CODES: dict[Level, int] = {
    Level.VERY_SATISFIED: 5,
    Level.SATISFIED: 4,
    Level.BASICALLY_SATISFIED: 3,
    Level.DISSATISFIED: 2,
    Level.VERY_DISSATISFIED: 1,
}
GB39046_CODES: dict[Level, int] = {
    Level.VERY_SATISFIED: 1,
    Level.SATISFIED: 2,
    Level.BASICALLY_SATISFIED: 3,
    Level.DISSATISFIED: 4,
    Level.VERY_DISSATISFIED: 5,
}
_LEVEL_BY_SATISFACTION = {code: level for level, code in SATISFACTION_CODES.items()}
_LEVEL_BY_GB39046 = {code: level for level, code in GB39046_CODES.items()}


def _as_int(table: str, code: int | str) -> int:
    try:
        return int(code)
    except (TypeError, ValueError):
        raise UnknownCode(table, code) from None


def level_to_satisfaction(level: Level | int) -> int:
    return SATISFACTION_CODES[Level(level)]


def level_from_satisfaction(code: int | str) -> Level:
    """Interface ``satisfaction`` (5 非常满意 … 1 非常不满意) → level."""
    try:
        return _LEVEL_BY_SATISFACTION[_as_int("satisfaction", code)]
    except KeyError:
        raise UnknownCode("satisfaction", code) from None


def level_to_gb39046(level: Level | int) -> int:
    return GB39046_CODES[Level(level)]


def level_from_gb39046(code: int | str) -> Level:
    """GB/T 39046-2020 A.8 满意度代码 (1 非常满意 … 5 非常不满意) → level."""
    try:
        return _LEVEL_BY_GB39046[_as_int("GB/T 39046 满意度代码", code)]
    except KeyError:
        raise UnknownCode("GB/T 39046 满意度代码", code) from None


# --- channels -------------------------------------------------------------------------


class ChannelGroup(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"

    @property
    def label(self) -> str:
        return {"online": "线上", "offline": "线下"}[self.value]


class Channel(StrEnum):
    """评价渠道 (BRIEF glossary)."""

    WEB = "web"
    APP = "app"
    MINI_PROGRAM = "mini_program"
    SMS = "sms"
    QR_CODE = "qr_code"
    EVALUATOR = "evaluator"
    KIOSK = "kiosk"
    PHONE = "phone"
    HOTLINE = "hotline"
    DEFAULT = "default"

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]

    @property
    def group(self) -> ChannelGroup:
        return CHANNEL_GROUPS[self]


CHANNEL_LABELS: dict[Channel, str] = {
    Channel.WEB: "网上办事大厅（PC端）",
    Channel.APP: "移动端App",
    Channel.MINI_PROGRAM: "小程序",
    Channel.SMS: "短信",
    Channel.QR_CODE: "二维码",
    Channel.EVALUATOR: "窗口评价器",
    Channel.KIOSK: "自助服务终端",
    Channel.PHONE: "电话邀评",
    Channel.HOTLINE: "政务服务热线",
    Channel.DEFAULT: "系统默认评价",
}

# Which indicator set a channel shows (NATIONAL.md "Indicators by channel group"): rating
# the hall's service on its pad, kiosk or a QR code at the window is offline; the default
# rating stands in for an offline hall service that was not rated (seed 000).
CHANNEL_GROUPS: dict[Channel, ChannelGroup] = {
    Channel.WEB: ChannelGroup.ONLINE,
    Channel.APP: ChannelGroup.ONLINE,
    Channel.MINI_PROGRAM: ChannelGroup.ONLINE,
    Channel.SMS: ChannelGroup.ONLINE,
    Channel.QR_CODE: ChannelGroup.OFFLINE,
    Channel.EVALUATOR: ChannelGroup.OFFLINE,
    Channel.KIOSK: ChannelGroup.OFFLINE,
    Channel.PHONE: ChannelGroup.OFFLINE,
    Channel.HOTLINE: ChannelGroup.OFFLINE,
    Channel.DEFAULT: ChannelGroup.OFFLINE,
}

CHANNEL_CHOICES: list[tuple[str, str]] = [(c.value, c.label) for c in Channel]


@dataclass(frozen=True)
class PfProfile:
    """Outbound ``pf`` code table of one exchange profile (a province's platform)."""

    name: str
    label: str
    codes: Mapping[Channel, str]

    def to_pf(self, channel: Channel | str) -> str:
        try:
            return self.codes[Channel(channel)]
        except (KeyError, ValueError):
            raise UnknownCode(f"pf[{self.name}]", channel) from None

    def from_pf(self, code: int | str) -> Channel:
        """First channel (in :class:`Channel` order) that the code stands for: ``2`` is both
        app and mini program nationally, and comes back as app."""
        for channel in Channel:
            if self.codes.get(channel) == str(code):
                return channel
        raise UnknownCode(f"pf[{self.name}]", code)


# National: 1 PC端, 2 移动服务端, 3 二维码, 4 政务大厅平板电脑, 5 政务大厅其他终端, 6 电话,
# 7 短信. The national table has no code for the default rating; none is sent.
PF_NATIONAL = PfProfile(
    name="national",
    label="国家标准",
    codes={
        Channel.WEB: "1",
        Channel.APP: "2",
        Channel.MINI_PROGRAM: "2",
        Channel.QR_CODE: "3",
        Channel.EVALUATOR: "4",
        Channel.KIOSK: "5",
        Channel.PHONE: "6",
        Channel.HOTLINE: "6",
        Channel.SMS: "7",
    },
)

# Zhejiang: 6 短信, 7 系统默认评价 (NATIONAL.md "Channel codes").
PF_ZHEJIANG = PfProfile(
    name="zhejiang",
    label="浙江",
    codes={
        Channel.WEB: "1",
        Channel.APP: "2",
        Channel.MINI_PROGRAM: "2",
        Channel.QR_CODE: "3",
        Channel.EVALUATOR: "4",
        Channel.KIOSK: "5",
        Channel.SMS: "6",
        Channel.DEFAULT: "7",
    },
)

PF_PROFILES: dict[str, PfProfile] = {p.name: p for p in (PF_NATIONAL, PF_ZHEJIANG)}


def pf_profile(name: str = "national") -> PfProfile:
    try:
        return PF_PROFILES[name]
    except KeyError:
        raise UnknownCode("pf profile", name) from None


# --- other national code tables -------------------------------------------------------

# Applicant kind ``userProp``.
USER_PROP: dict[str, str] = {
    "1": "自然人",
    "2": "企业法人",
    "3": "事业法人",
    "4": "社会组织法人",
    "5": "非法人企业",
    "6": "行政机关",
    "9": "其他组织",
}

# Certificate type ``userPageType`` (GA/T 2000.156).
CERT_TYPE_ID_CARD = "111"
CERT_TYPES: dict[str, str] = {CERT_TYPE_ID_CARD: "居民身份证"}

# Handling status ``proStatus``.
PRO_STATUS: dict[str, str] = {"1": "待受理", "2": "已受理", "3": "已办结"}
# The exchange's handling status (``exchange.rules.canonical.HandlingRecord.status``) →
# ``proStatus``.
PRO_STATUS_CODES: dict[str, str] = {"pending": "1", "accepted": "2", "completed": "3"}


def code_label(table: Mapping[str, str], name: str, code: int | str) -> str:
    """Chinese label of ``code`` in one of the tables above; unknown codes raise."""
    try:
        return table[str(code)]
    except KeyError:
        raise UnknownCode(name, code) from None


def user_prop_label(code: int | str) -> str:
    return code_label(USER_PROP, "userProp", code)


def cert_type_label(code: int | str) -> str:
    return code_label(CERT_TYPES, "userPageType", code)


def pro_status_label(code: int | str) -> str:
    return code_label(PRO_STATUS, "proStatus", code)


# --- content items --------------------------------------------------------------------


@dataclass(frozen=True)
class CodeProblem:
    code: str
    kind: str  # "unknown" | "wrong_level"
    message: str


def validate_content_codes(items: Iterable[tuple[str, int]], level: Level | int,
                           codes: Iterable[str]) -> list[CodeProblem]:
    """Check the content-item ``codes`` a rater picked for ``level``.

    ``items`` is the item table of the standard version the rating uses, as
    ``(code, level)`` pairs. Returns one problem per bad code (empty list: all valid).
    """
    wanted = Level(level)
    level_of = {str(code): Level(item_level) for code, item_level in items}
    problems: list[CodeProblem] = []
    for raw in codes:
        code = str(raw).strip()
        if code not in level_of:
            problems.append(CodeProblem(code, "unknown", f"评价内容代码 {code} 不存在"))
        elif level_of[code] is not wanted:
            problems.append(CodeProblem(
                code, "wrong_level",
                f"评价内容 {code} 属于“{level_of[code].label}”，与所选等级“{wanted.label}”不符"))
    return problems
