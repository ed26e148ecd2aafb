"""National code tables used by the catalog (NATIONAL.md). Pure data, no ORM."""

from __future__ import annotations

from enum import StrEnum
from os.path import commonprefix


class OrgKind(StrEnum):
    SUPERVISING = "supervising"  # 政务服务管理办公室 / 政务服务局
    HANDLING = "handling"  # 承办部门

    @property
    def label(self) -> str:
        return {"supervising": "政务服务管理机构", "handling": "承办部门"}[self.value]


class AdminLevel(StrEnum):
    """Level of an org, a hall or a region: 省/市/县/乡/村."""

    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"

    @property
    def label(self) -> str:
        return {"province": "省级", "city": "市级", "county": "县级",
                "township": "乡镇（街道）级", "village": "村（社区）级"}[self.value]


class MatterCategory(StrEnum):
    """The "6+1" matter categories (GB/T 39046 A.1 codes in ``gb_code``)."""

    LICENSING = "licensing"
    PAYMENT = "payment"
    CONFIRMATION = "confirmation"
    REWARD = "reward"
    RULING = "ruling"
    OTHER_POWER = "other_power"
    PUBLIC_SERVICE = "public_service"

    @property
    def label(self) -> str:
        return MATTER_CATEGORY_LABELS[self]

    @property
    def gb_code(self) -> str:
        return MATTER_CATEGORY_GB_CODES[self]


MATTER_CATEGORY_LABELS: dict[MatterCategory, str] = {
    MatterCategory.LICENSING: "行政许可",
    MatterCategory.PAYMENT: "行政给付",
    MatterCategory.CONFIRMATION: "行政确认",
    MatterCategory.REWARD: "行政奖励",
    MatterCategory.RULING: "行政裁决",
    MatterCategory.OTHER_POWER: "其他行政权力",
    MatterCategory.PUBLIC_SERVICE: "公共服务",
}

MATTER_CATEGORY_GB_CODES: dict[MatterCategory, str] = {
    MatterCategory.LICENSING: "01",
    MatterCategory.PAYMENT: "05",
    MatterCategory.CONFIRMATION: "07",
    MatterCategory.REWARD: "08",
    MatterCategory.RULING: "09",
    MatterCategory.OTHER_POWER: "10",
    MatterCategory.PUBLIC_SERVICE: "20",
}


class HandlingType(StrEnum):
    """即办件 (done on the spot) or 承诺件 (done within a promised time)."""

    IMMEDIATE = "immediate"
    PROMISED = "promised"

    @property
    def label(self) -> str:
        return {"immediate": "即办件", "promised": "承诺件"}[self.value]


# Handling type as the national exchange codes it (NATIONAL.md: 1 即办件, 2 承诺件).
HANDLING_TYPE_CODES: dict[HandlingType, str] = {HandlingType.IMMEDIATE: "1",
                                                HandlingType.PROMISED: "2"}


class Stage(StrEnum):
    """环节: a step of a handling that a business system reports and a rater may rate
    (seed 002 二(三): 对事项办理的任何环节进行在线评价; seed 001: 在办理政务服务事项各环节均
    能进行评价). Which ones a rater may rate is the policy's ``ratable_stages``."""

    CONSULT = "consult"  # 咨询
    APPLY = "apply"  # 申报
    AMEND = "amend"  # 补正 (materials completed on request)
    PAY = "pay"  # 缴费
    SIGN = "sign"  # 签收 (a hand-over signed for: materials or the result)
    DONE = "done"  # 办结

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]


STAGE_LABELS: dict[Stage, str] = {
    Stage.CONSULT: "咨询", Stage.APPLY: "申报", Stage.AMEND: "补正", Stage.PAY: "缴费",
    Stage.SIGN: "签收", Stage.DONE: "办结",
}
# Rating 办结 is rating the handling as a whole, as every rating did before stages: such a
# rating names no stage row (``Evaluation.stage`` null) and keeps every rule of a
# handling's rating (default rating, SMS invitation, batch).
WHOLE_HANDLING = Stage.DONE
# The national exchange fields naming what a rating rates (NATIONAL.md, issue 13):
# ``nodeName`` the stage's Chinese name, ``isService`` whether the rating is of one
# stage (a service within the handling, "1") or of the handling as a whole ("0").
NODE_NAME = "nodeName"
IS_SERVICE = "isService"
_STAGE_BY_NAME: dict[str, Stage] = {
    **{s.value: s for s in Stage}, **{label: s for s, label in STAGE_LABELS.items()}}


def stage_of(value: object) -> Stage | None:
    """The stage named by our code (``apply``) or its national name (``申报``), or None."""
    if not isinstance(value, str):
        return None
    return _STAGE_BY_NAME.get(value.strip())


def national_stage_fields(stage: Stage) -> dict[str, str]:
    """``nodeName`` and ``isService`` of a rating of ``stage`` (办结: the handling)."""
    return {NODE_NAME: stage.label, IS_SERVICE: "0" if stage is WHOLE_HANDLING else "1"}


def choices(enum: type[OrgKind] | type[AdminLevel] | type[MatterCategory] | type[HandlingType]
            | type[Stage]) -> list[tuple[str, str]]:
    """Django ``choices`` with Chinese labels for one of the enums above."""
    return [(member.value, member.label) for member in enum]


def tree_path(parent_path: str, code: str) -> str:
    """Materialised path of a tree node: ``/root/child/`` built from stable codes.

    A subtree is every row whose path starts with the node's path; codes never contain
    ``/`` (import validation rejects them).
    """
    base = parent_path or "/"
    return f"{base}{code}/"


# One level of a region's path: its 12-digit code (the check constraint
# region_code_12_digits) and "/", so a region's ancestor at a depth is a fixed-length
# prefix of its path.
REGION_PATH_STEP = 13


def deepest_common_path(least: str, greatest: str) -> str:
    """The path of the deepest node above (or at) every path of a set, given the set's
    least and greatest paths in string order ("/" when they share no node): every
    string between the two shares their common prefix, cut back here to a whole node."""
    shared = commonprefix([least, greatest])
    return shared[:shared.rfind("/") + 1] or "/"
