"""Handling status machine (STYLE.md §5). Pure.

accepted → in_progress → completed; any non-final status → withdrawn; completed and
withdrawn are final. Re-sending the current status is not a transition (a data correction
or an idempotent re-send) and is always allowed.
"""

from __future__ import annotations

from datetime import datetime

ACCEPTED = "accepted"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
WITHDRAWN = "withdrawn"
STATUS_LABELS = {ACCEPTED: "已受理", IN_PROGRESS: "办理中", COMPLETED: "已办结",
                 WITHDRAWN: "已撤回"}

TRANSITIONS: dict[str, frozenset[str]] = {
    ACCEPTED: frozenset({IN_PROGRESS, COMPLETED, WITHDRAWN}),
    IN_PROGRESS: frozenset({COMPLETED, WITHDRAWN}),
    COMPLETED: frozenset(),
    WITHDRAWN: frozenset(),
}
FINAL = frozenset(s for s, targets in TRANSITIONS.items() if not targets)

# Status values accepted on intake: ours, plus proStatus of the national interface
# (NATIONAL.md: 1 待受理, 2 已受理, 3 已办结). We keep no state before acceptance, so a
# handling reported as 待受理 is stored as accepted.
STATUS_ALIASES: dict[str, str] = {
    ACCEPTED: ACCEPTED, IN_PROGRESS: IN_PROGRESS, COMPLETED: COMPLETED, WITHDRAWN: WITHDRAWN,
    "1": ACCEPTED, "2": ACCEPTED, "3": COMPLETED,
}


def transition_allowed(old: str, new: str) -> bool:
    return old == new or new in TRANSITIONS.get(old, frozenset())


def transition_message(old: str, new: str) -> str:
    return (f"办件状态不能从“{STATUS_LABELS.get(old, old)}”变更为"
            f"“{STATUS_LABELS.get(new, new)}”")


def left_bucket(counted_in: tuple[int, datetime] | None, *, status: str, org_id: int,
                completed_at: datetime | None) -> bool:
    """Does a write take a handling out of the statistics bucket it counted in?

    ``counted_in`` is the stored (org id, completion time) of a completed handling (None
    when it did not count). The statistics count a completed handling on its completion
    day at its org (docs/metrics.md), so a corrected org or completion time, or a status
    that is no longer completed, leaves that bucket behind: the intake records it
    (``HandlingMove``) for the roll-up job. A corrected time on the same day records one
    needlessly, which costs a recomputation of the bucket the run recomputes anyway."""
    if counted_in is None:
        return False
    return status != COMPLETED or (org_id, completed_at) != counted_in
