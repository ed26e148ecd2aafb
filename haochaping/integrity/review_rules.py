"""The office's decision on a flagged rating (issue 15) as a pure rule: cleared, or fraud
confirmed with a deduction that feeds the performance review. No ORM."""

from __future__ import annotations

from enum import StrEnum


class Decision(StrEnum):
    CLEARED = "cleared"
    CONFIRMED = "confirmed"

    @property
    def label(self) -> str:
        return {"cleared": "排除（评价正常）", "confirmed": "认定刷评"}[self.value]


MAX_DEDUCTION = 100
MAX_NOTE = 500


def decision_refusal(decision: str, deduction: float | None, note: str) -> str:
    """The Chinese refusal of an office decision, or ""."""
    if decision not in {d.value for d in Decision}:
        return "请选择核查结论"
    if not 1 <= len((note or "").strip()) <= MAX_NOTE:
        return f"请填写核查情况（不超过 {MAX_NOTE} 字）"
    if decision == Decision.CONFIRMED:
        if deduction is None or not 0 < deduction <= MAX_DEDUCTION:
            return f"认定刷评须填写扣分（大于 0、不超过 {MAX_DEDUCTION} 分）"
    elif deduction:
        return "排除的评价不扣分"
    return ""
