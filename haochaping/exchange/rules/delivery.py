"""Pure rules of the upward delivery: which remotes want which kind, what leaves first,
how a remote's answer is read, retries with back-off, and the per-remote circuit breaker.

No ORM (STYLE.md §1): ``exchange.delivery`` reads the rows and the settings, asks these
functions, and writes what they decide.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from haochaping.exchange.rules.canonical import Kind

# Retries follow the outboxes' one back-off curve (notify.rules.retry_after): after attempt
# n a record waits min(base·2^(n-1), cap) scaled into its upper half by the jitter; past
# max_attempts it is dead.
from haochaping.notify.rules import RetryDecision as RetryDecision
from haochaping.notify.rules import RetryPolicy as RetryPolicy
from haochaping.notify.rules import retry_after as retry_after

# Kinds routed to every remote that receives them (the triggers write their rows), in the
# order a delivery pass sends them: a handling before the ratings of it, a rating before
# the rectification result of its bad review, so a remote that checks references finds
# the parent first.
ROUTED_KINDS: tuple[Kind, ...] = (Kind.HANDLING, Kind.RATING, Kind.RESULT)
# Every kind the outbox carries: the routed ones, then the outcome of an item a remote
# forwarded (咨询/投诉 closed), written for that remote only by exchange.inbound.
UPWARD_KINDS: tuple[Kind, ...] = (*ROUTED_KINDS, Kind.COMPLAINT)

# Statuses of an outbox row. ``sending`` is a claim in flight (a lease): the row is with a
# delivery task between its claim and the remote's answer.
PENDING = "pending"
SENDING = "sending"
ACKED = "acked"
REFUSED = "refused"
DEAD = "dead"
STATUS_LABELS: dict[str, str] = {
    PENDING: "待上报", SENDING: "上报中", ACKED: "已确认", REFUSED: "平台拒收",
    DEAD: "上报失败（死信）",
}
RESENDABLE: frozenset[str] = frozenset({REFUSED, DEAD})

# A row retried this many times travels alone: a record the remote chokes on (a 5xx
# for that one record) is kept from taking a whole batch down with it to the dead letters.
ISOLATE_AFTER_ATTEMPTS = 2

# Our handling statuses → the canonical ones (proStatus 1/2/3). A withdrawn handling has
# no national status: it does not leave (the triggers skip it).
HANDLING_STATUS: dict[str, str] = {
    "accepted": "accepted", "in_progress": "accepted", "completed": "completed",
}


def route_kinds(profile_kinds: frozenset[Kind], remote_kinds: list[str],
                active: bool) -> frozenset[Kind]:
    """The upward kinds a remote receives: what its profile can carry, narrowed by the
    remote's own list (empty = all of them); nothing for an inactive remote."""
    if not active:
        return frozenset()
    known = {k.value for k in Kind}
    wanted = frozenset(Kind(k) for k in remote_kinds if k in known) if remote_kinds \
        else frozenset(ROUTED_KINDS)
    return frozenset(k for k in ROUTED_KINDS if k in profile_kinds and k in wanted)


def batch_size(remote_batch_size: int, profile_max: int | None) -> int:
    """Records per request: the remote's setting within the profile's limit (a profile
    without batching sends one record per request)."""
    limit = max(1, remote_batch_size)
    return limit if profile_max is None else max(1, min(limit, profile_max))


def batch_take(attempts: list[int], size: int) -> int:
    """How many of the due candidates (oldest first, with their attempts so far) one
    request takes: a row already retried ``ISOLATE_AFTER_ATTEMPTS`` times alone, otherwise
    the leading run of fresh rows up to ``size``."""
    if not attempts or size < 1:
        return 0
    if attempts[0] >= ISOLATE_AFTER_ATTEMPTS:
        return 1
    taken = 0
    for value in attempts[:size]:
        if value >= ISOLATE_AFTER_ATTEMPTS:
            break
        taken += 1
    return taken


def slots_for(due: int, per_slot: int, max_slots: int) -> int:
    """Concurrent delivery tasks for a remote with ``due`` rows (each claims its own
    batches): one per ``per_slot`` rows, at least one, at most ``max_slots``."""
    if due <= 0:
        return 0
    return max(1, min(max_slots, math.ceil(due / max(1, per_slot))))


class Answer(StrEnum):
    """How a remote's HTTP answer is read."""

    ACKS = "acks"  # 2xx: read the per-record acknowledgements
    RETRY = "retry"  # the remote is unwell (408, 429, 5xx): try again later
    REFUSED = "refused"  # the remote refuses the request itself (another 4xx)


def answer_of(status: int) -> Answer:
    if 200 <= status < 300:
        return Answer.ACKS
    if status in (408, 425, 429) or status >= 500:
        return Answer.RETRY
    return Answer.REFUSED


# --- circuit breaker -------------------------------------------------------------------

class BreakerState(StrEnum):
    CLOSED = "closed"  # sending
    OPEN = "open"  # the remote is down: nothing is sent, nothing burns attempts
    HALF_OPEN = "half_open"  # one probe request is out; its answer closes or re-opens


BREAKER_LABELS: dict[BreakerState, str] = {
    BreakerState.CLOSED: "正常", BreakerState.OPEN: "熔断（暂停上报）",
    BreakerState.HALF_OPEN: "试探恢复中",
}


@dataclass(frozen=True)
class BreakerPolicy:
    failure_threshold: int  # consecutive failed requests that open the breaker
    open_seconds: int  # how long it stays open before one probe is allowed
    probe_seconds: int  # a probe whose task died is given up after this


@dataclass(frozen=True)
class Breaker:
    state: BreakerState = BreakerState.CLOSED
    failures: int = 0
    opened_at: datetime | None = None
    probe_until: datetime | None = None


class Gate(StrEnum):
    SEND = "send"  # closed: send batches
    PROBE = "probe"  # send one small request; its outcome decides
    WAIT = "wait"  # open, or another task's probe is out: send nothing


def breaker_gate(breaker: Breaker, now: datetime,
                 policy: BreakerPolicy) -> tuple[Gate, Breaker]:
    """May a delivery task send now? Returns the gate and the breaker to store (a task
    that wins the probe marks it taken, so concurrent slots wait for its answer)."""
    if breaker.state is BreakerState.CLOSED:
        return Gate.SEND, breaker
    probe = replace(breaker, state=BreakerState.HALF_OPEN,
                    probe_until=now + timedelta(seconds=policy.probe_seconds))
    if breaker.state is BreakerState.OPEN:
        reopen_at = (breaker.opened_at or now) + timedelta(seconds=policy.open_seconds)
        return (Gate.PROBE, probe) if now >= reopen_at else (Gate.WAIT, breaker)
    # half-open: a probe is out; take it over only when its task has gone silent
    if breaker.probe_until is None or now >= breaker.probe_until:
        return Gate.PROBE, probe
    return Gate.WAIT, breaker


def breaker_after(breaker: Breaker, ok: bool, now: datetime,
                  policy: BreakerPolicy) -> Breaker:
    """The breaker after one request's outcome (``ok``: the remote answered, acks or
    refusals; not ok: transport failure, timeout, 5xx, unreadable answer)."""
    if ok:
        return Breaker()
    if breaker.state is BreakerState.HALF_OPEN:
        return Breaker(BreakerState.OPEN, breaker.failures + 1, opened_at=now)
    failures = breaker.failures + 1
    if breaker.state is BreakerState.OPEN or failures >= policy.failure_threshold:
        return Breaker(BreakerState.OPEN, failures,
                       opened_at=breaker.opened_at if breaker.state is BreakerState.OPEN
                       else now)
    return replace(breaker, failures=failures)


def burns_attempt(gate: Gate) -> bool:
    """A failed request costs its records an attempt only when the remote was believed
    up: a probe's failure only confirms the outage, so a remote down for a day kills no
    record."""
    return gate is Gate.SEND


def short_error(text: str, limit: int = 500) -> str:
    return " ".join(text.split())[:limit]
