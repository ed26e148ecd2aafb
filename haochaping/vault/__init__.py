"""The rater vault: encrypted identity, blind indexes and masks (docs/privacy.md).

The pure parts (``crypto``, ``identity``) are re-exported here with the deployment's keys
filled in; the writes and the audited reveal live in ``vault.services``. The keys come from
settings (``vault.keys``), imported on first use, so that rules importing the pure parts
(``vault.applicant``) load no settings (core/tests/test_rules_are_pure.py).
"""

from __future__ import annotations

from haochaping.vault import crypto, identity
from haochaping.vault.crypto import VaultError
from haochaping.vault.identity import mask_id_no, mask_name, mask_phone

__all__ = ["VaultError", "blind_index", "decrypt_field", "encrypt_field", "mask_id_no",
           "mask_name", "mask_phone"]


def encrypt_field(field_name: str, plaintext: str) -> str:
    from haochaping.vault.keys import field_ring

    return crypto.encrypt_field(field_name, plaintext, field_ring())


def decrypt_field(field_name: str, envelope: str) -> str:
    from haochaping.vault.keys import field_ring

    return crypto.decrypt_field(field_name, envelope, field_ring())


def blind_index(kind: str, value: str) -> str:
    """Keyed index of ``value`` in domain ``kind`` ("phone", "id_no", "identity"),
    normalising phones and ID numbers first."""
    from haochaping.vault.keys import index_key

    if kind == "phone":
        value = identity.normalise_phone(value)
    elif kind == "id_no":
        value = identity.normalise_id_no(value)
    return identity.blind_index(kind, value, index_key())
