"""Typical cases (典型案例): the public text of a closed bad-review order and the redaction
rule applied to it. Pure Python (docs/disclosure.md, "Typical cases").

The office composes (or edits) the text when it marks the order typical; the text is
redacted then, inside that audited step, and stored on the order. The public page only
reads the stored text, so no personal data is ever decrypted on a public request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

REDACTED = "＊＊"
PUBLIC_TEXT_LIMIT = 3000  # characters the office may publish for one case
MIN_NAME_LENGTH = 2  # a one-character "name" would strike every use of a common character
MIN_DIGITS = 7  # the shortest local landline number; dates and counts stay readable

# A run of digits (``\d`` also matches full-width ０-９), possibly cut into groups of at
# least three digits by a hyphen or a space (138-0013-8000, 0371 6512 3456), with the
# check character X of an ID number. Dates (2026-09-29) have two-digit groups and stay.
_DIGIT_RUN = re.compile(r"(?<!\d)\d+(?:[-－ \u3000]\d{3,})*(?:[XxＸｘ](?![A-Za-z]))?(?!\d)")
# What may stand between the characters of a name in free text: spaces, middle dots.
_NAME_GAP = r"[\s·・•.]*"
_LATIN = re.compile(r"^[A-Za-z]+$")


def _digits(run: str) -> int:
    return sum(c.isdigit() for c in run)


def _mask_digits(found: re.Match[str]) -> str:
    return REDACTED if _digits(found.group(0)) >= MIN_DIGITS else found.group(0)


def _name_pattern(name: str) -> str | None:
    chars = [c for c in name if not re.fullmatch(_NAME_GAP, c)]
    if len(chars) < MIN_NAME_LENGTH:
        return None
    body = _NAME_GAP.join(re.escape(c) for c in chars)
    if _LATIN.match("".join(chars)):
        # Latin names only as whole words ("Li" is not struck out of "Line"); Chinese has
        # no word boundaries, so a Chinese name is struck wherever it stands.
        return rf"(?<![A-Za-z]){body}(?![A-Za-z])"
    return body


def redact(text: str, names: Iterable[str] = ()) -> str:
    """``text`` without the given personal names and without phone- or ID-number-like
    digit runs (at least MIN_DIGITS digits), each replaced by REDACTED.

    Names are matched longest first in one pass (so 张三丰 is struck whole, not as 张三 +
    丰), case-insensitively, across spaces or middle dots a writer put inside them.
    """
    patterns = [p for p in (_name_pattern(n) for n in sorted(
        {n.strip() for n in names if n and n.strip()}, key=len, reverse=True)) if p]
    if patterns:
        text = re.sub("|".join(f"(?:{p})" for p in patterns), REDACTED, text,
                      flags=re.IGNORECASE)
    return _DIGIT_RUN.sub(_mask_digits, text)


def measure_line(measures: str, result: str) -> str:
    return f"{measures}（{result}）" if result else measures


def compose(problems: Sequence[str], measures: Sequence[str], reply: str) -> str:
    """The public text of a case before redaction: the listed reasons of the bad review
    (never the rater's own words, seed 003 §7), the department's rectification measures
    and its latest reply. Matter, department and dates are shown beside it from the
    catalog."""
    parts = [f"问题类别：{'、'.join(problems) if problems else '其他'}"]
    if measures:
        parts.append("整改措施：\n" + "\n".join(measures))
    if reply:
        parts.append(f"部门答复：\n{reply}")
    return "\n\n".join(parts)
