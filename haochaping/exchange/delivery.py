"""Delivering the upward outbox to one remote: at-least-once, never doubled.

One delivery task (``tasks.deliver``, several per remote at once, "slots") loops: ask the
breaker (``breaker.acquire``), wait for the remote's rate limit, claim a batch of one kind
(``claim``: due pending rows → ``sending`` with a lease, ``SELECT … FOR UPDATE SKIP
LOCKED`` on PostgreSQL, SQLite's IMMEDIATE transactions serialise claims), build the
records from our rows (``records``), map and sign them with the remote's codec, POST
them OUTSIDE any transaction (``transport``), and store each row's outcome fenced on the
attempt number its claim set (``apply``): acked; refused by the remote (its code and
message, re-sendable); or retried with capped, jittered back-off and, past
``HCP_EXCHANGE_MAX_ATTEMPTS``, dead.

Kill safety: a task killed anywhere leaves each row either pending (not claimed yet, or
claimed in a transaction that rolled back), ``sending`` with a lease, or finished. A
``sending`` row whose lease ended (its worker died between claim and outcome) goes back
to pending with the periodic job's ``reclaim_expired`` and is sent again under the same
key, which the remote de-duplicates on; so a record is never lost and never doubled at
the remote. A late outcome of a worker that overran its lease is dropped by the fence
(attempt number and status), never overwriting the outcome of the task that took over.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from haochaping.evaluations.models import Evaluation
from haochaping.exchange import records
from haochaping.exchange.models import OutboxRecord
from haochaping.exchange.rules import delivery as rules
from haochaping.exchange.rules.canonical import Ack, Event, Kind, Record
from haochaping.workorders.models import WorkOrder

LOST_WORKER = ("exchange.lease_expired", "上报进程中断（租约过期），将重新发送")
NO_ACK = ("exchange.no_ack", "平台未返回该条记录的回执")


@dataclass(frozen=True)
class Claimed:
    pk: int
    object_id: int
    key: str
    attempt: int  # the attempt this claim is (1-based)


@dataclass
class Report:
    acked: int = 0
    refused: int = 0
    retried: int = 0
    dead: int = 0
    requests: int = 0
    failures: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, other: Report) -> None:
        for name in ("acked", "refused", "retried", "dead", "requests", "failures"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.notes += other.notes

    @property
    def finished(self) -> int:
        return self.acked + self.refused + self.retried + self.dead

    def summary(self) -> str:
        text = (f"requests={self.requests} acked={self.acked} refused={self.refused} "
                f"retried={self.retried} dead={self.dead}")
        return text + (f" ({'; '.join(self.notes)})" if self.notes else "")


def retry_policy() -> rules.RetryPolicy:
    return rules.RetryPolicy(base_seconds=settings.HCP_EXCHANGE_RETRY_BASE_SECONDS,
                             cap_seconds=settings.HCP_EXCHANGE_RETRY_CAP_SECONDS,
                             max_attempts=settings.HCP_EXCHANGE_MAX_ATTEMPTS)


def lease_seconds(timeout_seconds: int) -> int:
    """A claim must be sent and recorded within a margin over the remote's timeout."""
    return int(timeout_seconds) + int(settings.HCP_EXCHANGE_LEASE_MARGIN_SECONDS)


def reclaim_expired(now: datetime) -> int:
    """Rows left ``sending`` by a worker that died go back to pending (or to the dead
    letters once their attempts are spent, so a record that kills its worker cannot loop
    forever)."""
    expired = OutboxRecord.objects.filter(status=rules.SENDING, locked_until__lt=now)
    code, message = LOST_WORKER
    dead = expired.filter(attempts__gte=settings.HCP_EXCHANGE_MAX_ATTEMPTS).update(
        status=rules.DEAD, locked_until=None, error_code=code, last_error=message)
    back = expired.update(status=rules.PENDING, locked_until=None, next_attempt_at=now,
                          error_code=code, last_error=message)
    return dead + back


def due(remote_id: int, now: datetime, cap: int) -> int:
    """Due rows of a remote, counted up to ``cap`` (enough to size its slots)."""
    return OutboxRecord.objects.filter(
        remote_id=remote_id, kind__in=[k.value for k in rules.UPWARD_KINDS],
        status=rules.PENDING, next_attempt_at__lte=now).values("pk")[:cap].count()


def _after_parents(candidates: QuerySet[OutboxRecord], remote_id: int,
                   kind: Kind) -> QuerySet[OutboxRecord]:
    """Leave out the rows whose parent has a row for this remote still on its way
    (pending or sending): a rating waits for its handling, an invalidation for its rating,
    a rectification result for its bad review. With several slots a remote that checks
    references never gets a child before its parent; a parent that is dead or refused
    holds nothing back."""
    on_the_way = OutboxRecord.objects.filter(remote_id=remote_id,
                                             status__in=[rules.PENDING, rules.SENDING])
    if kind is Kind.RATING:
        handling = Evaluation.objects.filter(pk=OuterRef("object_id")).values("handling_id")
        return candidates.annotate(parent=Subquery(handling[:1])).exclude(
            Exists(on_the_way.filter(kind=Kind.HANDLING.value, object_id=OuterRef("parent")))
        ).exclude(Q(event=Event.INVALIDATED.value) & Exists(on_the_way.filter(
            kind=Kind.RATING.value, event=Event.SAVED.value, object_id=OuterRef("object_id"))))
    if kind is Kind.RESULT:
        rating = WorkOrder.objects.filter(pk=OuterRef("object_id")).values("evaluation_id")
        return candidates.annotate(parent=Subquery(rating[:1])).exclude(
            Exists(on_the_way.filter(kind=Kind.RATING.value, object_id=OuterRef("parent"))))
    return candidates


def claim(remote_id: int, kind: Kind, size: int, now: datetime, lease: int) -> list[Claimed]:
    """Claim up to ``size`` due rows of one kind, oldest first, after their parents
    (``_after_parents``; ``rules.batch_take``: a row retried twice travels alone)."""
    with transaction.atomic():
        candidates = _after_parents(OutboxRecord.objects.filter(
            remote_id=remote_id, kind=kind.value, status=rules.PENDING,
            next_attempt_at__lte=now), remote_id, kind).order_by("next_attempt_at", "pk")
        if connection.vendor == "postgresql":
            # Concurrent slots skip each other's candidates instead of queueing on them.
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        found = list(candidates.values_list("pk", "object_id", "record_key", "attempts")[:size])
        found = found[:rules.batch_take([row[3] for row in found], size)]
        if not found:
            return []
        OutboxRecord.objects.filter(pk__in=[row[0] for row in found],
                                    status=rules.PENDING).update(
            status=rules.SENDING, attempts=F("attempts") + 1, sent_at=now,
            locked_until=now + timedelta(seconds=lease))
    return [Claimed(pk, object_id, key, attempts + 1)
            for pk, object_id, key, attempts in found]


def _by_attempt(rows: Iterable[Claimed]) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        groups[row.attempt].append(row.pk)
    return groups


def _mine(pks: list[int], attempt: int) -> object:
    """The fence: rows still in this claim (not reclaimed and taken by another task)."""
    return OutboxRecord.objects.filter(pk__in=pks, status=rules.SENDING, attempts=attempt)


def finish_acked(rows: list[Claimed], now: datetime) -> int:
    done = 0
    for attempt, pks in _by_attempt(rows).items():
        done += _mine(pks, attempt).update(  # type: ignore[attr-defined]
            status=rules.ACKED, acked_at=now, locked_until=None, error_code="",
            last_error="")
    return done


def finish_refused(row: Claimed, code: str, message: str, *, status: str = rules.REFUSED,
                   ) -> int:
    """Refused by the remote (``refused``) or unsendable on our side (``dead``): no retry
    until an operator re-sends it."""
    return int(_mine([row.pk], row.attempt).update(  # type: ignore[attr-defined]
        status=status, locked_until=None, error_code=code[:64],
        last_error=rules.short_error(message or code)))


def finish_failed(rows: list[Claimed], code: str, message: str, now: datetime, *,
                  burns: bool, jitter: float | None = None) -> tuple[int, int]:
    """A failure of the request (no answer, 5xx, unreadable answer): (retried, dead).
    ``burns`` False (a probe of a remote known down) gives the attempt back."""
    retried = dead = 0
    error = {"error_code": code[:64], "last_error": rules.short_error(message),
             "locked_until": None}
    policy = retry_policy()
    for attempt, pks in _by_attempt(rows).items():
        mine = _mine(pks, attempt)
        if not burns:
            retried += mine.update(  # type: ignore[attr-defined]
                status=rules.PENDING, attempts=attempt - 1, next_attempt_at=now, **error)
            continue
        decision = rules.retry_after(attempt, policy, random.random() if jitter is None  # noqa: S311
                                     else jitter)
        if decision.dead:
            dead += mine.update(status=rules.DEAD, **error)  # type: ignore[attr-defined]
        else:
            retried += mine.update(  # type: ignore[attr-defined]
                status=rules.PENDING, **error,
                next_attempt_at=now + timedelta(seconds=decision.delay_seconds))
    return retried, dead


def apply_acks(rows: list[Claimed], acks: list[Ack], now: datetime, *,
               burns: bool) -> Report:
    """Each row's ack: ok → acked; refused → refused with the remote's code and message;
    none → retried (the remote did not answer for it)."""
    report = Report()
    if len(rows) == 1 and len(acks) == 1 and not acks[0].key:
        # a single-item profile's answer may not repeat the key: it is the one item's
        acks = [replace(acks[0], key=rows[0].key)]
    by_key = {ack.key: ack for ack in acks}
    ok = [row for row in rows if row.key in by_key and by_key[row.key].ok]
    report.acked = finish_acked(ok, now)
    for row in rows:
        ack = by_key.get(row.key)
        if ack is not None and not ack.ok:
            report.refused += finish_refused(row, ack.code or "remote.refused",
                                             ack.message or "平台拒收")
    missing = [row for row in rows if row.key not in by_key]
    if missing:
        retried, dead = finish_failed(missing, *NO_ACK, now, burns=burns)
        report.retried, report.dead = retried, dead
    return report


def build(kind: Kind, rows: list[Claimed], identity_fields: tuple[str, ...],
          ) -> tuple[list[tuple[Claimed, Record]], Report]:
    """The records of the claimed rows; the rows that cannot leave are dead at once."""
    built = records.records(kind, [row.object_id for row in rows],
                            identity_fields=identity_fields)
    report = Report()
    ready: list[tuple[Claimed, Record]] = []
    for row in rows:
        item = built[row.object_id]
        if isinstance(item, records.Unsendable):
            report.dead += finish_refused(row, item.code, item.message, status=rules.DEAD)
        else:
            ready.append((row, item))
    return ready, report


def new_nonce() -> str:
    return uuid.uuid4().hex
