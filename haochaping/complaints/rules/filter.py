"""The acceptance filter (seed 004 §5: 内容过滤机制). Pure, no ORM.

``assess`` judges one item's text against the office's word lists and the submitter's and
the subject's recent items, and returns a :class:`Verdict`: accept, refuse (with a reason
of ``rules.reasons``), merge into a duplicate, or triage (the office decides). The machine
refuses only on a clear case; anything it is unsure of goes to triage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

MIN_CONTENT_CHARS = 8  # below this there is no concrete content to act on


class Decision(StrEnum):
    ACCEPT = "accept"
    REFUSE = "refuse"
    TRIAGE = "triage"
    MERGE = "merge"  # a near-duplicate of the submitter's own open item


class Strength(StrEnum):
    HIT = "hit"  # refuse outright when found
    CUE = "cue"  # only send the item to triage


@dataclass(frozen=True)
class Word:
    word: str
    reason: str  # a code of rules.reasons.REASONS
    strength: Strength = Strength.CUE


@dataclass(frozen=True)
class Recent:
    """An earlier item the new one is compared with."""

    ref: str
    text: str
    same_submitter: bool
    is_open: bool


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    reason: str = ""  # reason code when refused or triaged
    explanation: str = ""  # for the office, plain Chinese
    matched: tuple[str, ...] = ()
    duplicate_of: str = ""  # ref of the item it duplicates
    notes: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {"decision": self.decision.value, "reason": self.reason,
                "explanation": self.explanation, "matched": list(self.matched),
                "duplicate_of": self.duplicate_of, "notes": list(self.notes)}


def assess(text: str, *, words: Sequence[Word], recent: Sequence[Recent] = ()) -> Verdict:
    """Judge ``text`` (already cleaned by ``core.text``)."""
    body = "".join(text.split())
    if len(body) < MIN_CONTENT_CHARS:
        return Verdict(Decision.REFUSE, "no_content",
                       f"内容少于{MIN_CONTENT_CHARS}个字，无法确定诉求")
    hits = [w for w in words if w.word and w.word in body]
    for strength in (Strength.HIT, Strength.CUE):
        found = [w for w in hits if w.strength is strength]
        if found:
            decision = Decision.REFUSE if strength is Strength.HIT else Decision.TRIAGE
            return Verdict(decision, found[0].reason,
                           "命中过滤词：" + "、".join(w.word for w in found),
                           tuple(w.word for w in found))
    for item in recent:
        if item.same_submitter and item.is_open and "".join(item.text.split()) == body:
            return Verdict(Decision.MERGE, "repeated", f"与本人在办的 {item.ref} 内容相同",
                           duplicate_of=item.ref)
    return Verdict(Decision.ACCEPT)
