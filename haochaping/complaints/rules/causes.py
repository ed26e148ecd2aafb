"""What an item is about: its cause (问题原因, issue 14 §7 举一反三). Pure data, no ORM.

Not the refusal reason of ``rules.reasons`` (``Submission.reason``): a cause says which
kind of problem the submitter met — 服务态度, 办事效率, 材料要求… — so the dashboard can
rank the matters and orgs where one cause recurs, and the common-problem detection
(``problems``) can cluster items and bad ratings on one code.

The national content items of a bad rating (评价内容 2xx/1xx, NATIONAL.md; the retired
version's 1xx/2xx included) map onto the same codes in :data:`RATING_CODE_CAUSES`, so a
bad rating "214 服务态度生硬" and a complaint about a rude window clerk share ``attitude``.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Cause(StrEnum):
    ATTITUDE = "attitude"  # 服务态度
    EFFICIENCY = "efficiency"  # 办事效率（超时、业务不熟练）
    MATERIALS = "materials"  # 一次性告知与材料要求
    GUIDE = "guide"  # 办事指南与政策（指南不准、指南外条件、政策咨询）
    PROCESS = "process"  # 办事流程（多头跑、跑动次数）
    ONLINE = "online"  # 网上办理、系统与设备
    FEES = "fees"  # 收费
    QUEUEING = "queueing"  # 窗口设置与排队
    FACILITIES = "facilities"  # 大厅环境与设施
    CONDUCT = "conduct"  # 工作纪律与廉洁
    OTHER = "other"  # 其他

    @property
    def label(self) -> str:
        return CAUSE_LABELS[self]


CAUSE_LABELS: dict[Cause, str] = {
    Cause.ATTITUDE: "服务态度",
    Cause.EFFICIENCY: "办事效率",
    Cause.MATERIALS: "一次性告知与材料要求",
    Cause.GUIDE: "办事指南与政策",
    Cause.PROCESS: "办事流程",
    Cause.ONLINE: "网上办理与系统设备",
    Cause.FEES: "收费",
    Cause.QUEUEING: "窗口设置与排队",
    Cause.FACILITIES: "大厅环境与设施",
    Cause.CONDUCT: "工作纪律与廉洁",
    Cause.OTHER: "其他",
}

# A hint under each choice on the filing pages (plain Chinese, what belongs there).
CAUSE_HINTS: dict[Cause, str] = {
    Cause.ATTITUDE: "态度生硬、推诿、不耐心",
    Cause.EFFICIENCY: "超时未办结、办理慢、业务不熟练",
    Cause.MATERIALS: "未一次性告知、重复提交材料、指南外要材料",
    Cause.GUIDE: "办事指南不准确、政策看不懂、咨询无人答",
    Cause.PROCESS: "多头跑、跑动次数多、环节繁琐",
    Cause.ONLINE: "网上办不了、系统故障、自助机不能用",
    Cause.FEES: "收费不明、乱收费",
    Cause.QUEUEING: "排队久、窗口开得少、预约后仍排队",
    Cause.FACILITIES: "大厅环境、停车、无障碍设施",
    Cause.CONDUCT: "吃拿卡要、违反工作纪律",
    Cause.OTHER: "以上都不是",
}

# National content items of a bad rating (NATIONAL.md "Content items") → cause. Codes of
# good levels and unknown codes map to nothing (they are not a problem); the free-text
# reason ``other`` (evaluations.rules.FREE_TEXT_REASON) maps to OTHER.
RATING_CODE_CAUSES: dict[str, Cause] = {
    # 2 不满意 (current version)
    "207": Cause.MATERIALS,  # 没有提供材料样本
    "208": Cause.MATERIALS,  # 没有提供材料清单
    "209": Cause.EFFICIENCY,  # 未在承诺时间内办结
    "210": Cause.MATERIALS,  # 同样内容的证明材料被要求多次提交
    "211": Cause.ONLINE,  # 承诺网办但无法在线办理
    "212": Cause.QUEUEING,  # 在线预约办理后到实体大厅重复取号排队
    "213": Cause.EFFICIENCY,  # 窗口人员业务不熟练
    "214": Cause.ATTITUDE,  # 服务态度生硬
    # 1 非常不满意 (current version)
    "108": Cause.GUIDE,  # 在办事指南之外增加新的审批条件
    "109": Cause.MATERIALS,  # 需提供办事指南之外的申报材料
    "110": Cause.EFFICIENCY,  # 无理由超过法定办理时间
    "111": Cause.GUIDE,  # 办事指南提供样本有错
    "112": Cause.ONLINE,  # 承诺在线收取申报材料实际无法收取
    "113": Cause.PROCESS,  # 多头跑窗口和部门
    "114": Cause.PROCESS,  # 跑动次数与承诺的不一致
    "115": Cause.ATTITUDE,  # 服务态度差效率低
    # retired version (old ratings may carry it)
    "101": Cause.MATERIALS,  # 被要求提交办事指南未列明的申报材料
    "other": Cause.OTHER,
}


def cause_choices(*, blank: str | None = None) -> list[tuple[str, str]]:
    """(code, label) pairs for a form or model field; ``blank`` labels the empty choice."""
    choices = [(c.value, c.label) for c in Cause]
    return [("", blank), *choices] if blank is not None else choices


def parse_cause(value: str | None) -> Cause | None:
    """The cause a form or API sent: empty means not given; an unknown code raises
    ``ValueError`` (the caller turns it into its own Chinese error)."""
    value = (value or "").strip()
    return Cause(value) if value else None


def rating_causes(codes: Iterable[str]) -> set[Cause]:
    """The causes the content-item or reason codes of one bad rating map to."""
    return {RATING_CODE_CAUSES[str(c)] for c in codes if str(c) in RATING_CODE_CAUSES}


def cause_label(code: str) -> str:
    try:
        return CAUSE_LABELS[Cause(code)]
    except ValueError:
        return code or "未分类"
