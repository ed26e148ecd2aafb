"""The reply of a request order (咨询、投诉、建议): pure rules, no ORM.

Seed 004 §6(二): 回复内容要包含调查核实、处理过程、整改措施、整改结果等基本要素. Each element
is a required part of the reply form; :func:`reply_parts` checks them in that order and
names the first one missing, :func:`compose` writes them into the reply's text (what the
submitter and the platform that forwarded the item receive).
"""

from __future__ import annotations

from collections.abc import Mapping

from haochaping.core.errors import RuleViolation

REPLY_PARTS: tuple[tuple[str, str], ...] = (
    ("investigation", "调查核实"),
    ("process", "处理过程"),
    ("measures", "整改措施"),
    ("result", "整改结果"),
)
PART_LIMIT = 1000  # characters per element
NOTE_LIMIT = 500  # the optional closing words to the submitter


class ReplyPartsRefused(RuleViolation):
    """A reply without one of its four elements: stable ``code``, Chinese ``message``."""


def reply_parts(raw: Mapping[str, object]) -> dict[str, str]:
    """The four elements, stripped, in order; ReplyPartsRefused names the first one that
    is missing, empty, not text or too long."""
    parts: dict[str, str] = {}
    for key, label in REPLY_PARTS:
        value = raw.get(key, "")
        if not isinstance(value, str):
            raise ReplyPartsRefused("workorder.reply_part_invalid", f"“{label}”须为文字", key)
        value = value.strip()
        if not value:
            raise ReplyPartsRefused("workorder.reply_part_required",
                                    f"答复须写明“{label}”（调查核实、处理过程、整改措施、整改结果缺一不可）",
                                    key)
        if len(value) > PART_LIMIT:
            raise ReplyPartsRefused("workorder.text_too_long",
                                    f"“{label}”不能超过 {PART_LIMIT} 字", key)
        parts[key] = value
    return parts


def compose(parts: Mapping[str, str], note: str = "") -> str:
    """The reply's text: the optional note (the answer in a sentence), then one line per
    element."""
    lines = [note] if note else []
    lines += [f"{label}：{parts[key]}" for key, label in REPLY_PARTS if parts.get(key)]
    return "\n".join(lines)


def labelled(parts: Mapping[str, object]) -> list[tuple[str, str]]:
    """(label, text) of the stored elements, in order (screens and the API)."""
    return [(label, str(parts[key])) for key, label in REPLY_PARTS if parts.get(key)]
