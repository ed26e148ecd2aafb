"""Pure rules of self-assessment (自评) and third-party assessment (第三方评估), issue 15,
seed 001 三(二)2–3: the default items of the self-assessment form, the states and which
step each allows, score checks and the normalisation to 0–100 the performance review
reads. No ORM here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

MAX_ITEMS = 30
MAX_ITEM_SCORE = 100
NAME_CHARS = 50
GUIDANCE_CHARS = 300
TEXT_CHARS = 2000
REASON_CHARS = 500
SCORE_PATTERN = re.compile(r"[0-9]{1,3}(\.[0-9])?")  # ASCII digits, one decimal


@dataclass(frozen=True)
class ItemSpec:
    """One item of a form or scoring sheet: name, maximum score, guidance for the org."""

    name: str
    max_score: int
    guidance: str = ""


# The office may edit these on each new form (seed 001 三(二)2; issue 15).
DEFAULT_SELF_ITEMS: tuple[ItemSpec, ...] = (
    ItemSpec("事项清单管理", 15, "政务服务事项清单动态调整、要素完整准确，办事指南公开及时。"),
    ItemSpec("流程优化", 15, "减材料、减环节、减时限、减跑动，一次告知、容缺受理落实情况。"),
    ItemSpec("服务态度", 15, "首问负责、一次性告知、文明用语，群众评价与投诉反映情况。"),
    ItemSpec("大厅窗口建设", 15, "综合窗口设置、评价器配置、引导服务、无障碍设施等。"),
    ItemSpec("监督检查", 10, "内部督查、核查抽查、暗访发现问题的整改情况。"),
    ItemSpec("差评投诉处理", 15, "差评回访整改、投诉办结、按期答复率及群众满意度。"),
    ItemSpec("便民举措", 15, "帮办代办、延时错时、上门服务等创新便民措施及成效。"),
)

# Items of a mystery-shopper (暗访) scoring sheet, offered when the office creates one.
DEFAULT_VISIT_ITEMS: tuple[ItemSpec, ...] = (
    ItemSpec("窗口环境与秩序", 20),
    ItemSpec("服务礼仪与态度", 25),
    ItemSpec("一次性告知", 25),
    ItemSpec("业务办理效率", 20),
    ItemSpec("好差评引导", 10),
)


class EntryState(StrEnum):
    """A self-assessment of one org (自评表)."""

    PENDING = "pending"  # 待填报
    SUBMITTED = "submitted"  # 已提交，待审核
    RETURNED = "returned"  # 已退回修改
    SCORED = "scored"  # 已评分

    @property
    def label(self) -> str:
        return ENTRY_LABELS[self]


ENTRY_LABELS = {EntryState.PENDING: "待填报", EntryState.SUBMITTED: "已提交待审核",
                EntryState.RETURNED: "已退回修改", EntryState.SCORED: "已评分"}

FILLABLE = frozenset({EntryState.PENDING, EntryState.RETURNED})


class VisitState(StrEnum):
    """One assigned visit of a third-party assessment (暗访记录)."""

    ASSIGNED = "assigned"  # 待走访
    RECORDED = "recorded"  # 已记录，待审核
    RETURNED = "returned"  # 退回补充
    ACCEPTED = "accepted"  # 已审核

    @property
    def label(self) -> str:
        return VISIT_LABELS[self]


VISIT_LABELS = {VisitState.ASSIGNED: "待走访", VisitState.RECORDED: "已记录待审核",
                VisitState.RETURNED: "退回补充", VisitState.ACCEPTED: "已审核"}

RECORDABLE = frozenset({VisitState.ASSIGNED, VisitState.RETURNED})


class Kind(StrEnum):
    MYSTERY = "mystery"  # 暗访
    ONSITE = "onsite"  # 实地评估

    @property
    def label(self) -> str:
        return {Kind.MYSTERY: "暗访", Kind.ONSITE: "实地评估"}[self]


def parse_score(raw: str | None) -> Decimal | None:
    """A score as typed: a number with at most one decimal; None when it is not one."""
    text = (raw or "").strip()
    if not SCORE_PATTERN.fullmatch(text):
        return None
    return Decimal(text)


def score_refusal(score: Decimal | None, max_score: int) -> str:
    """Why a score is refused ('' when fine): 0 to the item's maximum, one decimal."""
    if score is None:
        return "请填写得分（数字，至多一位小数）"
    if not Decimal(0) <= score <= Decimal(max_score):
        return f"得分须在 0 至 {max_score} 分之间"
    return ""


def items_refusal(items: Sequence[ItemSpec]) -> str:
    """Why a list of items is refused ('' when fine)."""
    if not 1 <= len(items) <= MAX_ITEMS:
        return f"评分项须为 1 至 {MAX_ITEMS} 项"
    names = [i.name.strip() for i in items]
    if any(not 1 <= len(n) <= NAME_CHARS for n in names):
        return f"每个评分项须有名称（不超过 {NAME_CHARS} 字）"
    if len(set(names)) != len(names):
        return "评分项名称不能重复"
    if any(not 1 <= i.max_score <= MAX_ITEM_SCORE for i in items):
        return f"每项满分须为 1 至 {MAX_ITEM_SCORE} 分"
    if any(len(i.guidance) > GUIDANCE_CHARS for i in items):
        return f"评分说明不超过 {GUIDANCE_CHARS} 字"
    return ""


def normalise(scores: Iterable[Decimal | float], maxima: Iterable[int]) -> float:
    """Points obtained over points possible, as 0–100 with one decimal (half up). A sheet
    without points possible scores 0."""
    got = sum((Decimal(str(s)) for s in scores), Decimal(0))
    possible = sum(maxima)
    if possible <= 0:
        return 0.0
    value = (got * 100 / Decimal(possible)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(min(max(value, Decimal(0)), Decimal(100)))


def mean(values: Sequence[float]) -> float:
    """The mean of normalised scores (one decimal); 0 for none."""
    if not values:
        return 0.0
    total = sum((Decimal(str(v)) for v in values), Decimal(0)) / len(values)
    return float(total.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def is_late(deadline: date, day: date) -> bool:
    """Submitted (or still open) after the form's deadline."""
    return day > deadline


def period_refusal(start: date, end: date, deadline: date | None = None) -> str:
    if end < start:
        return "结束日期不能早于开始日期"
    if (end - start).days > 366:
        return "期间不能超过一年"
    if deadline is not None and deadline < start:
        return "截止日期不能早于期间开始"
    return ""


def format_items(items: Sequence[ItemSpec]) -> str:
    """Items as the office edits them: one a line, ``名称 | 满分 | 评分说明``."""
    return "\n".join(f"{i.name} | {i.max_score} | {i.guidance}".rstrip(" |") for i in items)


def parse_items(text: str) -> tuple[list[ItemSpec], str]:
    """The office's lines back into items, with the reason when a line is not one."""
    items: list[ItemSpec] = []
    for n, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("｜", "|").split("|", 2)]
        if len(parts) < 2 or not parts[1].isdigit() or len(parts[1]) > 3:
            return [], f"第 {n} 行须为“名称 | 满分 | 评分说明”，满分为整数"
        items.append(ItemSpec(parts[0], int(parts[1]), parts[2] if len(parts) > 2 else ""))
    return items, items_refusal(items)
