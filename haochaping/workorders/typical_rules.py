"""Typical cases (典型案例): the public text of a closed bad-review order as composed from
its records. Pure Python (docs/disclosure.md, "Typical cases"). Personal data is taken
out of it by ``personal_rules.strip_personal`` before the office previews and confirms it.
"""

from __future__ import annotations

from collections.abc import Sequence

PUBLIC_TEXT_LIMIT = 3000  # characters the office may publish for one case


def measure_line(measures: str, result: str) -> str:
    return f"{measures}（{result}）" if result else measures


def compose(problems: Sequence[str], measures: Sequence[str], reply: str) -> str:
    """The public text of a case before personal data is stripped: the listed reasons of
    the bad review (never the rater's own words, seed 003 §7), the department's
    rectification measures and its latest reply. Matter, department and dates are shown
    beside it from the catalog."""
    parts = [f"问题类别：{'、'.join(problems) if problems else '其他'}"]
    if measures:
        parts.append("整改措施：\n" + "\n".join(measures))
    if reply:
        parts.append(f"部门答复：\n{reply}")
    return "\n\n".join(parts)
