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


def choices(enum: type[OrgKind] | type[AdminLevel] | type[MatterCategory] | type[HandlingType]
            ) -> list[tuple[str, str]]:
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
