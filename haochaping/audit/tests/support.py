"""Test-only helpers for the append-only audit log."""

from __future__ import annotations

from django.db import connection, transaction

from haochaping.audit import triggers


def empty_audit_log() -> None:
    """Delete every audit row with the triggers lifted for the moment, then restore them.

    Transactional tests end with Django's flush, which the triggers would refuse.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        triggers.remove(connection)
        cursor.execute(f"DELETE FROM {triggers.TABLE}")
        triggers.install(connection)
