"""Tasks of the notify app: outbox delivery (transport only).

Delivery runs as drain tasks: writing an outbox row queues one (``queue_drain``, in
the writer's transaction), the periodic ``deliver_outbox`` queues as many as the backlog
needs so several workers send at once; each drain claims batches and sends them
concurrently until the backlog is empty or its time budget is spent, then queues its own
continuation.
"""

from __future__ import annotations

import math
import time
from datetime import datetime

from django.utils import timezone

from haochaping.core.engine import enqueue, rules, task
from haochaping.notify.rules import URGENT_TEMPLATES
from haochaping.notify.services import delivery

DRAIN_SECONDS = 20.0  # a drain hands over to a fresh task after this (fair to others)
DRAIN_BATCH = 200
MESSAGES_PER_DRAIN = 400  # backlog per parallel drain the periodic job queues
MAX_DRAINS = 32


def queue_drain(*, urgent: bool, slot: int = 0) -> None:
    """Queue drain ``slot`` unless it already waits (called in the writer's transaction
    for newly written messages, with slot 0)."""
    if urgent:
        enqueue(drain_urgent, slot, key=f"notify.drain:urgent:{slot}")
    else:
        enqueue(drain, slot, key=f"notify.drain:{slot}")


def _drain(*, urgent: bool, slot: int) -> str:
    """Deliver until nothing is due or ``DRAIN_SECONDS`` are spent; then this slot's
    continuation is queued, so other tasks get their turn."""
    templates = URGENT_TEMPLATES if urgent else None
    started = time.monotonic()
    sent = 0
    while time.monotonic() - started < DRAIN_SECONDS:
        report = delivery.deliver_due(timezone.now(), DRAIN_BATCH, templates=templates)
        sent += len(report.ids)
        if len(report.ids) < DRAIN_BATCH:
            return f"handled {sent}"
    queue_drain(urgent=urgent, slot=slot)
    return f"handled {sent}"


@task(queue=rules.URGENT)
def drain_urgent(slot: int) -> str:
    """SMS codes only: never behind invitations, reports or rebuilds."""
    return _drain(urgent=True, slot=slot)


@task(queue=rules.DEFAULT)
def drain(slot: int) -> str:
    return _drain(urgent=False, slot=slot)


@task(queue=rules.DEFAULT)
def deliver_outbox(now: str) -> str:
    """Queue enough drains for the backlog (and retries that became due)."""
    moment = datetime.fromisoformat(now)
    # Messages a dead worker left "sending" count once their lease is over.
    reclaimed = delivery.reclaim_expired(moment)
    urgent = delivery.due_count(moment, URGENT_TEMPLATES)
    for slot in range(_drains(urgent)):
        queue_drain(urgent=True, slot=slot)
    backlog = delivery.due_count(moment) - urgent
    drains = _drains(backlog)
    for slot in range(drains):
        queue_drain(urgent=False, slot=slot)
    return (f"backlog {backlog} (+{urgent} urgent), {drains} drains"
            + (f", {reclaimed} reclaimed" if reclaimed else ""))


def _drains(backlog: int) -> int:
    return min(MAX_DRAINS, math.ceil(backlog / MESSAGES_PER_DRAIN))
