"""Text as it enters the system: Unicode NFC, no control characters (issue 17).

The one rule for every string a request carries (query strings, path segments, form
fields, cookies: ``core.edge.EdgeMiddleware``; JSON bodies: ``core.edge.CleanParser``;
bodies a view parses itself: the ``CleanStr`` type of ``core.bounds``). Stored text is
then safe for PostgreSQL (which refuses NUL), XML (XLSX exports, which refuse most C0
controls) and display (no bidirectional overrides that reorder what a reader sees).

Kept: tab and line feed (multi-line text); a carriage return becomes a line feed.
Dropped: the other C0 controls, DEL and the C1 controls; the bidirectional embedding,
override and isolate marks (U+202A–U+202E, U+2066–U+2069), which can make a name read as
another; a byte-order mark; lone surrogates and the non-characters U+FFFE/U+FFFF, which
no encoder accepts.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_DROPPED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff"
    "\ud800-\udfff\ufffe\uffff]")
# Containers nested deeper than this are refused by the JSON parser's caller (edge):
# no request of this API nests more than a few levels.
MAX_DEPTH = 32


class TooDeep(ValueError):
    """A JSON document nested deeper than :data:`MAX_DEPTH`."""


def clean_text(value: str) -> str:
    """``value`` in NFC with the characters above dropped (CR LF and CR read as LF)."""
    if value.isascii():
        if value.isprintable():  # the common case: nothing to do
            return value
    elif not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _DROPPED.sub("", value)


def is_clean(value: str) -> bool:
    return clean_text(value) == value


def clean_data(value: Any, depth: int = 0) -> Any:
    """Every string (keys too) of a parsed JSON document cleaned; other values as they
    are. Raises :class:`TooDeep` past :data:`MAX_DEPTH` levels."""
    if isinstance(value, str):
        return clean_text(value)
    if depth >= MAX_DEPTH and isinstance(value, dict | list):
        raise TooDeep("nested too deeply")
    if isinstance(value, dict):
        return {clean_text(k) if isinstance(k, str) else k: clean_data(v, depth + 1)
                for k, v in value.items()}
    if isinstance(value, list):
        return [clean_data(v, depth + 1) for v in value]
    return value
