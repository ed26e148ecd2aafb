"""The rejected-message log: every refused inbound request, and its audit event.

A refused request is stored nowhere else. The row keeps who sent it, what it asked for,
why it was refused (the stable code and the Chinese message) and the SHA-256 and size of
its body, never the body itself (it may carry raters' identities).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from haochaping.audit.services import audit_record
from haochaping.exchange.models import RejectedMessage, Remote
from haochaping.exchange.rules.inbound import body_digest

MAX_REASON = 500


@dataclass(frozen=True)
class Received:
    """What the log may keep of a request: never its body, only its digest and size."""

    remote_name: str
    tail: str
    body: bytes
    size: int  # the declared size when the body was too large to read
    ip: str | None
    now: datetime


def rejected_record(*, received: Received, remote: Remote | None, code: str, message: str,
                    field: str | None, status: int) -> RejectedMessage:
    """Log one refused request and audit it (action ``exchange.inbound_rejected``), in
    one transaction of their own: the refusal is kept whatever the caller does next."""
    with transaction.atomic():
        row = RejectedMessage.objects.create(
            remote=remote, remote_name=received.remote_name[:40], kind=received.tail[:80],
            code=code[:64], reason=message[:MAX_REASON], field=(field or "")[:64],
            status=status, body_sha256=body_digest(received.body),
            body_size=max(received.size, len(received.body)), ip=received.ip,
            received_at=received.now)
        audit_record(action="exchange.inbound_rejected",
                     actor_label=f"remote:{received.remote_name[:40]}", obj=row, ip=received.ip,
                     after={"remote": remote.pk if remote is not None else None,
                            "kind": row.kind, "code": row.code, "status": status,
                            "sha256": row.body_sha256, "size": row.body_size})
    return row
