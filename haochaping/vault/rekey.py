"""Key rotation: re-encrypt raters sealed with a key other than the current one.

Idempotent and resumable: each batch picks rows whose ``key_id`` is not the current key,
in primary-key order, locks them, re-encrypts all three ciphertexts and commits; a killed
run simply leaves the remaining rows for the next run. Blind indexes and masks do not
depend on the field key, so they are untouched.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from haochaping.vault import crypto
from haochaping.vault.keys import field_ring
from haochaping.vault.models import Rater

CIPHER_COLUMNS = (("name", "name_cipher"), ("id_no", "id_no_cipher"),
                  ("phone", "phone_cipher"))


def rekey_batch(*, after_pk: int = 0, batch_size: int = 500) -> tuple[int, int]:
    """Re-encrypt up to ``batch_size`` stale raters with pk > ``after_pk``; returns (rows
    done, last pk seen). (0, after_pk) means nothing is left."""
    ring = field_ring()
    with transaction.atomic():
        rows = list(Rater.objects.select_for_update()
                    .filter(pk__gt=after_pk).exclude(key_id=ring.current)
                    .order_by("pk")[:batch_size])
        if not rows:
            return 0, after_pk
        now = timezone.now()
        for rater in rows:
            for field_name, column in CIPHER_COLUMNS:
                plain = crypto.decrypt_field(field_name, getattr(rater, column), ring)
                setattr(rater, column, crypto.encrypt_field(field_name, plain, ring))
            rater.key_id = ring.current
            rater.updated_at = now
        Rater.objects.bulk_update(rows, [c for _, c in CIPHER_COLUMNS] + ["key_id",
                                                                          "updated_at"])
    return len(rows), rows[-1].pk


def rekey_all(*, batch_size: int = 500) -> int:
    total, last = 0, 0
    while True:
        done, last = rekey_batch(after_pk=last, batch_size=batch_size)
        if not done:
            return total
        total += done
