"""Writing the audit log. Every admin and workflow service calls :func:`audit_record`
inside its own transaction, so an action and its audit row commit or roll back together.
"""

from __future__ import annotations

import os
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from haochaping.audit.keys import audit_keys
from haochaping.audit.models import AuditEvent
from haochaping.audit.rules import CHAINS, GENESIS_HASH, chain_mac


class AuditHeadLock:
    """Which chain an append extends, held until the transaction ends so each row links
    to the one before in its chain.

    PostgreSQL: a transaction-scoped advisory lock per chain (key ``(KEY, chain)``); a
    writer takes the first of the ``rules.CHAINS`` chains no other transaction holds
    (``pg_try_advisory_xact_lock``, one statement), so concurrent writers append side by
    side instead of queueing on one lock; a lone writer always extends chain 0. Only when
    every chain is held does it wait, for one chosen by its process id. SQLite: chain 0;
    the IMMEDIATE transaction already holds the database's single write lock.
    """

    KEY = 804_113_001

    @classmethod
    def acquire(cls) -> int:
        """Lock a chain for this transaction and return it."""
        from django.db import connection

        if connection.vendor != "postgresql":
            return 0
        with connection.cursor() as cursor:
            # The Limit stops the scan at the first chain locked: no other is taken.
            cursor.execute("SELECT c FROM generate_series(0, %s::int) AS c "
                           "WHERE pg_try_advisory_xact_lock(%s::int, c) LIMIT 1",
                           [CHAINS - 1, cls.KEY])
            row = cursor.fetchone()
            if row is not None:
                return int(row[0])
            chain = os.getpid() % CHAINS
            cursor.execute("SELECT pg_advisory_xact_lock(%s::int, %s::int)", [cls.KEY, chain])
            return chain


def event_content(event: AuditEvent) -> dict[str, Any]:
    """The fields the hash covers (everything but the hashes themselves). The chain is
    covered from chain 1 on, the key id on keyed rows; chain 0 rows written before chains
    existed and rows written before the chain was keyed hash exactly as they did, so a log
    written by the old code and then the new verifies as one."""
    chain = {"chain": event.chain} if event.chain else {}
    key = {"key_id": event.key_id} if event.key_id else {}
    return {
        **chain,
        **key,
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "ip": event.ip,
    }


def _actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    name = getattr(actor, "get_full_name", lambda: "")() or getattr(actor, "username", "")
    return str(name or actor)


def audit_record(
    *,
    action: str,
    actor: Any = None,
    actor_label: str | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event. ``actor`` is a User (or None for the system/worker).

    Values in ``before``/``after`` must be JSON-serialisable; pass ids, not objects, and
    never pass unmasked rater identity.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    keys = audit_keys()  # refuses before anything is written when no key is configured
    with transaction.atomic():
        chain = AuditHeadLock.acquire()
        last = (AuditEvent.objects.filter(chain=chain).order_by("-seq")
                .values_list("seq", "hash").first())
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        event = AuditEvent(
            chain=chain,
            seq=seq,
            at=timezone.now(),
            actor_id=getattr(actor, "pk", None),
            actor_label=actor_label or _actor_label(actor),
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            before=before,
            after=after,
            ip=ip,
            prev_hash=prev,
            key_id=keys.current,
        )
        event.hash = chain_mac(keys.keys[keys.current], prev, event_content(event))
        event.save(force_insert=True)
    return event
