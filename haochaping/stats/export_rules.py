"""Which statistics exports need the office's approval, and when an approval serves one
(issue 17; PIPL art. 51: access to personal information is controlled). Pure Python.

A drill-down of ratings holds personal information (the rater's masked name, the free
text of the rating); any export of more than the policy's number of rows is a bulk
extract. Either needs the approval of the supervising office, unless the office itself
(or the system administrator) exports: who may approve (``accounts.rules``:
``supervision`` write) need not ask.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum

PERSONAL_KINDS = frozenset({"drilldown"})  # ratings: masked rater names, free text
KINDS = frozenset({"figures", "drilldown", "handlings", "orders", "ranking"})


class Status(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    USED = "used"


def approval_needed(*, kind: str, rows: int, limit: int, exempt: bool) -> str | None:
    """Why this export needs the office's approval (Chinese), or None."""
    if exempt:
        return None
    if kind in PERSONAL_KINDS:
        return "含评价人信息与评价内容"
    if rows > limit:
        return f"超过 {limit:,} 条"
    return None


def canonical(query: Mapping[str, object]) -> dict[str, str]:
    """The export's parameters as compared with an approval's: absent and None values
    dropped, every value as text (dates ISO, booleans lower case)."""
    def text(value: object) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, date | datetime):
            return value.isoformat()
        return str(value)

    return {key: text(value) for key, value in sorted(query.items()) if value is not None}


def usable(status: str, expires_at: datetime | None, now: datetime) -> bool:
    return status == Status.APPROVED and expires_at is not None and now < expires_at


KIND_LABELS = {"figures": "统计表", "drilldown": "评价明细（含评价人脱敏信息与评价内容）",
               "handlings": "办件明细", "orders": "工单明细", "ranking": "综合排名"}
# How the parameters of an export read to the approver; others are shown as they are.
QUERY_LABELS = {"table": "统计表", "figure": "指标", "period": "统计周期", "start": "起始日期",
                "end": "截止日期", "scope": "机构", "region": "区划", "group_by": "分组",
                "matter": "事项", "window": "窗口", "channel": "渠道", "org": "部门"}
STATE_LABELS = {"pending": "待审批", "usable": "已批准，可下载一次", "expired": "已过期",
                "rejected": "已驳回", "used": "已下载"}


def state(status: str, expires_at: datetime | None, now: datetime) -> str:
    """Where a request stands for its asker: an approval past its validity has expired."""
    if status == Status.APPROVED:
        return "usable" if usable(status, expires_at, now) else "expired"
    return status
