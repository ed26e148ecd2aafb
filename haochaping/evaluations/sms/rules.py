"""Rules of the SMS rating channel. Pure."""

from __future__ import annotations

_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def parse_level_reply(body: str) -> int | None:
    """A reply of 1–5 (ASCII or full-width, surrounding spaces allowed) is a level."""
    text = body.translate(_FULL_WIDTH_DIGITS).strip()  # str.strip() also drops U+3000
    if len(text) == 1 and text in "12345":
        return int(text)
    return None

