"""The per-remote circuit breaker's state: ``rules.delivery`` decides, the
``RemoteBreaker`` row remembers across tasks, processes and machines.

Every change is a compare-and-swap on the whole row (as work-order transitions): two
delivery tasks that record outcomes at once never lose one, and only one of them wins a
probe. A closed breaker with no failures is read, never written, so a healthy remote costs
one primary-key read per request.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import Q

from haochaping.exchange.models import OutboxRecord, RemoteBreaker
from haochaping.exchange.rules import delivery as rules

MAX_RACES = 8  # compare-and-swap rounds before giving up (another task keeps winning)


def policy() -> rules.BreakerPolicy:
    return rules.BreakerPolicy(
        failure_threshold=int(settings.HCP_EXCHANGE_BREAKER_FAILURES),
        open_seconds=int(settings.HCP_EXCHANGE_BREAKER_OPEN_SECONDS),
        probe_seconds=int(settings.HCP_EXCHANGE_BREAKER_OPEN_SECONDS)
        + int(settings.HCP_EXCHANGE_LEASE_MARGIN_SECONDS))


def _row(remote_id: int) -> RemoteBreaker:
    row, _ = RemoteBreaker.objects.get_or_create(remote_id=remote_id)
    return row


def _state(row: RemoteBreaker) -> rules.Breaker:
    return rules.Breaker(rules.BreakerState(row.state), row.failures, row.opened_at,
                         row.probe_until)


def _same(row: RemoteBreaker) -> Q:
    """The row exactly as read (the compare of compare-and-swap)."""
    return Q(remote_id=row.remote_id, state=row.state, failures=row.failures,
             opened_at=row.opened_at, probe_until=row.probe_until)


def _swap(row: RemoteBreaker, new: rules.Breaker, now: datetime) -> bool:
    return bool(RemoteBreaker.objects.filter(_same(row)).update(
        state=new.state.value, failures=new.failures, opened_at=new.opened_at,
        probe_until=new.probe_until, updated_at=now))


def current(remote_id: int) -> rules.Breaker:
    return _state(_row(remote_id))


def peek(remote_id: int, now: datetime) -> rules.Gate:
    """What a task would be told now, changing nothing (the periodic job's look)."""
    gate, _ = rules.breaker_gate(current(remote_id), now, policy())
    return gate


def acquire(remote_id: int, now: datetime) -> rules.Gate:
    """May this task send? ``PROBE`` means this task alone holds the probe."""
    for _ in range(MAX_RACES):
        row = _row(remote_id)
        gate, new = rules.breaker_gate(_state(row), now, policy())
        if gate is not rules.Gate.PROBE:
            return gate
        if _swap(row, new, now):
            return gate
    return rules.Gate.WAIT


def release_probe(remote_id: int, now: datetime) -> None:
    """A probe taken with nothing to send: back to open, so the next task may probe
    at once (its opened_at unchanged)."""
    row = _row(remote_id)
    if row.state == rules.BreakerState.HALF_OPEN:
        _swap(row, rules.Breaker(rules.BreakerState.OPEN, row.failures, row.opened_at), now)


def record(remote_id: int, ok: bool, now: datetime) -> rules.Breaker:
    """Store one request's outcome; on recovery (the breaker closes after being open)
    the remote's records waiting out a back-off become due at once."""
    for _ in range(MAX_RACES):
        row = _row(remote_id)
        old = _state(row)
        new = rules.breaker_after(old, ok, now, policy())
        if new == old:
            return new
        if _swap(row, new, now):
            if new.state is rules.BreakerState.CLOSED and old.state is not new.state:
                release_backoff(remote_id, now)
            return new
    return current(remote_id)


def release_backoff(remote_id: int, now: datetime) -> int:
    """Pending records of the remote waiting for a later attempt are due now (their
    back-off was the outage's, which is over)."""
    return OutboxRecord.objects.filter(
        remote_id=remote_id, kind__in=[k.value for k in rules.UPWARD_KINDS],
        status=rules.PENDING, next_attempt_at__gt=now).update(next_attempt_at=now)
