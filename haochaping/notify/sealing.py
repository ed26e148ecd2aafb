"""Sealing the outbox's template parameters with the field vault (AES-GCM or SM4-GCM,
bound to their column): an SMS code or an invitation link is a live credential until it
is used or expires, so it is never stored or shown in plain text."""

from __future__ import annotations

import json

from haochaping.vault import decrypt_field, encrypt_field

# The vault column names binding outbox ciphertexts to this table (AAD).
TO_FIELD = "outbox.to"
PARAMS_FIELD = "outbox.params"


def seal_params(params: dict[str, str]) -> str:
    if not params:
        return ""
    return encrypt_field(PARAMS_FIELD, json.dumps(params, ensure_ascii=False, sort_keys=True))


def open_params(envelope: str) -> dict[str, str]:
    if not envelope:
        return {}
    opened = json.loads(decrypt_field(PARAMS_FIELD, envelope))
    return {str(key): str(value) for key, value in opened.items()}
