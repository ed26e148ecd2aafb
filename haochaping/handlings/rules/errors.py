"""One problem with one intake item. Pure."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ItemError:
    field: str
    code: str
    message: str  # Chinese
