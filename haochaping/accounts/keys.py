"""API-key generation. The format and hashing rules live in ``accounts.rules``."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from haochaping.accounts import rules


@dataclass(frozen=True)
class NewKey:
    raw: str  # shown once to the operator, never stored
    prefix: str
    hash: str


def generate_key() -> NewKey:
    prefix = secrets.token_hex(rules.PREFIX_HEX_CHARS // 2)
    raw = rules.format_key(prefix, secrets.token_urlsafe(32))
    return NewKey(raw=raw, prefix=prefix, hash=rules.hash_key(raw))
