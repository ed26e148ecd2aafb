"""The columns of each importable entity: English key, Chinese header, parser, default.

Pure data (no ORM). The same list drives parsing, the export (so an export re-imports
unchanged) and ``docs/import-format.md``. Lengths mirror the model fields; a test keeps
them in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from haochaping.catalog.importing import rules as r
from haochaping.catalog.rules.codes import AdminLevel, HandlingType, MatterCategory, OrgKind

LEVELS = r.enum_labels(AdminLevel)
ORG_KINDS = r.enum_labels(OrgKind)
CATEGORIES = r.enum_labels(MatterCategory)
HANDLING_TYPES = r.enum_labels(HandlingType)


@dataclass(frozen=True)
class Column:
    key: str  # English key; a model attribute, or ``<x>_code`` for a reference by code
    header: str  # Chinese header
    parse: r.Parser
    required: bool = False
    default: Any = None  # value of an empty optional cell
    labels: Mapping[str, str] = field(default_factory=dict)  # enum value -> Chinese label
    note: str = ""  # shown in docs/import-format.md


def _bool(key: str, header: str, default: bool = True) -> Column:
    return Column(key, header, r.boolean, default=default, note="是 / 否")


REGION_COLUMNS = [
    Column("code", "区划代码", r.region_code, required=True, note="12 位数字"),
    Column("name", "名称", r.text(100), required=True),
    Column("level", "层级", r.enum_of(LEVELS), required=True, labels=LEVELS),
    Column("parent_code", "上级区划代码", r.region_code, default="",
           note="本文件中或系统中已有的区划"),
]

ORG_COLUMNS = [
    Column("code", "机构编码", r.code(32), required=True, note="统一社会信用代码或本地编码"),
    Column("name", "机构名称", r.text(100), required=True),
    Column("short_name", "简称", r.text(50), default=""),
    Column("kind", "类型", r.enum_of(ORG_KINDS), required=True, labels=ORG_KINDS),
    Column("level", "层级", r.enum_of(LEVELS), required=True, labels=LEVELS),
    Column("region_code", "区划代码", r.region_code, required=True, note="系统中已有的区划"),
    Column("parent_code", "上级机构编码", r.code(32), default="",
           note="本文件中（前后均可）或系统中已有的机构；空 = 顶级机构"),
    _bool("is_active", "启用"),
    Column("sort", "排序", r.non_negative_int, default=0, note="非负整数"),
]

HALL_COLUMNS = [
    Column("code", "大厅编码", r.code(32), required=True),
    Column("name", "大厅名称", r.text(100), required=True),
    Column("org_code", "管理机构编码", r.code(32), required=True, note="系统中已有的机构"),
    Column("region_code", "区划代码", r.region_code, required=True, note="系统中已有的区划"),
    Column("level", "层级", r.enum_of(LEVELS), required=True, labels=LEVELS),
    Column("address", "地址", r.text(200), default=""),
    Column("phone", "咨询电话", r.text(32), default=""),
    _bool("is_active", "启用"),
]

WINDOW_COLUMNS = [
    Column("code", "窗口编码", r.code(32), required=True),
    Column("number", "窗口号", r.text(16), required=True, note="同一大厅内唯一"),
    Column("name", "窗口名称", r.text(100), required=True),
    Column("hall_code", "大厅编码", r.code(32), required=True, note="系统中已有的大厅"),
    Column("org_code", "进驻部门编码", r.code(32), required=True, note="系统中已有的机构"),
    _bool("is_active", "启用"),
]

STAFF_COLUMNS = [
    Column("staff_no", "工号", r.code(32), required=True),
    Column("name", "姓名", r.text(50), required=True),
    Column("org_code", "所属部门编码", r.code(32), required=True, note="系统中已有的机构"),
    Column("window_code", "窗口编码", r.code(32), default="",
           note="系统中已有的窗口；空 = 未分配窗口"),
    Column("title", "岗位", r.text(50), default=""),
    _bool("is_active", "在岗"),
]

MATTER_COLUMNS = [
    Column("code", "事项编码", r.code(64), required=True),
    Column("impl_code", "实施编码", r.code(64), required=True, note="与版本一起唯一"),
    Column("version", "版本", r.code(16), default="1"),
    Column("name", "事项名称", r.text(200), required=True),
    Column("category", "事项类型", r.enum_of(CATEGORIES), required=True, labels=CATEGORIES),
    Column("org_code", "实施部门编码", r.code(32), required=True, note="系统中已有的机构"),
    Column("handling_type", "办件类型", r.enum_of(HANDLING_TYPES),
           default=HandlingType.PROMISED.value, labels=HANDLING_TYPES),
    Column("promised_days", "承诺时限（工作日）", r.non_negative_int, default=0,
           note="非负整数"),
    Column("legal_days", "法定时限（工作日）", r.non_negative_int, default=None,
           note="非负整数；空 = 无"),
    _bool("online_available", "可网上办理", default=False),
    _bool("is_active", "启用"),
]

ENTITY_COLUMNS: dict[str, list[Column]] = {
    "regions": REGION_COLUMNS,
    "orgs": ORG_COLUMNS,
    "halls": HALL_COLUMNS,
    "windows": WINDOW_COLUMNS,
    "staff": STAFF_COLUMNS,
    "matters": MATTER_COLUMNS,
}

ENTITY_LABELS: dict[str, str] = {
    "regions": "行政区划",
    "orgs": "机构",
    "halls": "大厅",
    "windows": "窗口",
    "staff": "工作人员",
    "matters": "政务服务事项",
}


def format_cell(column: Column, value: Any) -> str:
    """The text an export writes for ``value``; parsing it gives ``value`` back."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if column.labels:
        return column.labels.get(str(value), str(value))
    return str(value)
