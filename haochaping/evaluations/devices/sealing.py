"""Device keys sealed by the field vault (AES-GCM or SM4-GCM, bound to their column).

The device interface checks an HMAC that the device makes with its whole key, so the
server keeps the key itself, encrypted at rest like rater identity; the SHA-256 beside it
still finds and checks the key of the evaluator pad page (``public.device_authenticate``).
Old field keys stay in ``HCP_FIELD_KEYS`` for as long as sealed device keys use them.
"""

from __future__ import annotations

from haochaping.vault import decrypt_field, encrypt_field

KEY_FIELD = "device.key"  # the vault's column name (AAD) of Device.key_sealed


def seal_device_key(raw: str) -> str:
    return encrypt_field(KEY_FIELD, raw)


def open_device_key(sealed: str) -> str:
    return decrypt_field(KEY_FIELD, sealed)
