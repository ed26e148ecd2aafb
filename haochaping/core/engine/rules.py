"""Pure rules of the task engine: queues, priorities, back-off, chunking. No ORM.

Queues separate work by how long a person may wait for it (ADR 0005):
``urgent`` (SMS verification codes, pad wake-ups) is served by its own worker process and
first by every other; ``default`` carries follow-ups of a write (open a work order after a
bad rating, deliver notifications); ``sweeps`` the chunks of periodic sweeps; ``reports``
roll-ups, rebuilds, reports and snapshots, which may run for minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

URGENT = "urgent"
DEFAULT = "default"
SWEEPS = "sweeps"
REPORTS = "reports"

# Higher runs first when a worker serves several queues (django-tasks: -100..100).
QUEUE_PRIORITY: dict[str, int] = {URGENT: 100, DEFAULT: 50, SWEEPS: 0, REPORTS: -50}
QUEUES: tuple[str, ...] = tuple(QUEUE_PRIORITY)

# How often a worker beats. One whose heartbeat is older than HCP_WORKER_STALL_SECONDS
# (30 by default) is dead: its running tasks go back to the queue (or to the dead letters
# once their attempts are spent).
HEARTBEAT_SECONDS = 5
STALL_SECONDS = 30  # recover()'s default when called without the setting
# A task whose lock is held by a running task is put back this far (not spun on).
LOCK_DEFER_SECONDS = 2


@dataclass(frozen=True)
class Backoff:
    base_seconds: float = 10.0
    cap_seconds: float = 3600.0


def retry_delay(attempt: int, backoff: Backoff, jitter: float) -> float:
    """Seconds before attempt ``attempt + 1`` after attempt ``attempt`` (1-based) failed:
    exponential, capped, with "full jitter" in [0.5, 1.0] of the step so retries of many
    tasks that failed together spread out. ``jitter`` is a number in [0, 1)."""
    if attempt < 1:
        raise ValueError("attempt is 1-based")
    step = min(backoff.cap_seconds, backoff.base_seconds * float(2 ** min(attempt - 1, 30)))
    return step * (0.5 + 0.5 * jitter)


def should_retry(attempt: int, max_attempts: int) -> bool:
    """Another attempt after attempt ``attempt`` failed? Past the last one the task is a
    dead letter (FAILED), which an operator retries from the admin."""
    return attempt < max_attempts


def id_chunks(low: int, high: int, size: int) -> list[tuple[int, int]]:
    """Half-open id ranges [a, b) covering [low, high] inclusive, ``size`` ids each: the
    chunks of a sweep, claimed by different workers in parallel."""
    if size < 1:
        raise ValueError("chunk size must be positive")
    if high < low:
        return []
    return [(a, min(a + size, high + 1)) for a in range(low, high + 1, size)]


def queue_list(raw: str) -> list[str]:
    """``"urgent,default"`` → the named queues; ``"*"`` or empty → every queue. Unknown
    names are an error (a typo would leave a queue unserved)."""
    names = [n.strip() for n in raw.split(",") if n.strip()]
    if not names or names == ["*"]:
        return list(QUEUES)
    unknown = [n for n in names if n not in QUEUE_PRIORITY]
    if unknown:
        raise ValueError(f"unknown queue(s): {', '.join(unknown)}; known: {', '.join(QUEUES)}")
    return names
