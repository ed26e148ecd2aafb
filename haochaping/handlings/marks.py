"""The handling table's writes that ratings and their sweeps cause.

Handlings is the only app that writes its table (docs/architecture.md, "Layers"): the
rating channels (evaluations) mark a handling rated and claim or clear its sweep deadlines
through these functions, inside their own transaction. Each is one statement; a claim is a
conditional UPDATE whose 0 rows mean "another worker has it" (STYLE.md §7, §8).
"""

from __future__ import annotations

from datetime import datetime

from haochaping.core.fastsql import Statement
from haochaping.handlings.models import Handling

_RATED_SQL = "UPDATE handlings_handling SET rated_at = %s WHERE id = %s"


def rated_statement(pk: int, now: datetime) -> Statement:
    """The statement that marks the handling rated, sent with the rating's INSERT; being
    rated voids the handling's SMS-invitation and default-rating deadlines.

    Only ``rated_at`` changes, a column no index holds, so on PostgreSQL the row is
    updated in place on its page (a HOT update: no new entry in the handling's ten
    indexes; the table keeps free space for it, migration handlings 0005). The void
    deadlines stay until their sweep reaches them and clears the rated ones in bulk
    (:func:`clear_void_invite_deadlines`, :func:`clear_void_default_deadlines`), and the
    roll-up job finds the handling through its new rating, not ``updated_at``. Plain SQL:
    this runs once per rating on every channel."""
    return _RATED_SQL, [now, pk]


def mark_rated_by_default(pk: int, now: datetime) -> None:
    """The default rating's mark: rated, and no SMS invitation any more."""
    Handling.objects.filter(pk=pk).update(rated_at=now, invite_due_at=None, updated_at=now)


def clear_void_invite_deadlines(now: datetime) -> int:
    """Rated handlings keep their void SMS-invitation deadline (:func:`rated_statement`):
    the sweep clears those past due at once."""
    return Handling.objects.filter(invite_due_at__lte=now, rated_at__isnull=False).update(
        invite_due_at=None)


def clear_void_default_deadlines(now: datetime) -> int:
    """As :func:`clear_void_invite_deadlines`, for the default-rating deadline."""
    return Handling.objects.filter(default_due_at__lte=now, rated_at__isnull=False).update(
        default_due_at=None)


def claim_invite(pk: int, now: datetime) -> bool:
    """Claim handling ``pk`` for the SMS invitation sweep by clearing its due deadline."""
    return Handling.objects.filter(pk=pk, invite_due_at__lte=now).update(
        invite_due_at=None) == 1


def claim_batch_invites(*, client_id: int, batch_no: str, rater_id: int) -> None:
    """One invitation covers the rater's part of a batch: claim all of it."""
    Handling.objects.filter(client_id=client_id, batch_no=batch_no, rater_id=rater_id,
                            invite_due_at__isnull=False).update(invite_due_at=None)


def claim_default(pk: int, due_at: datetime | None) -> bool:
    """Claim handling ``pk`` for the default-rating sweep (its deadline still ``due_at``:
    not rated or claimed meanwhile)."""
    return bool(Handling.objects.filter(pk=pk, default_due_at=due_at).update(
        default_due_at=None))
