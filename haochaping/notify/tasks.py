"""Tasks of the notify app: outbox delivery (transport only).

Delivery runs as drain tasks: writing an outbox row queues one (``queue_delivery``, in
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


def queue_delivery(*, urgent: bool) -> None:
    """Queue a drain for newly written messages (called in the writer's transaction)."""
    if urgent:
        enqueue(drain_urgent, 0, key="notify.drain:urgent:0")
    else:
        enqueue(drain, 0, key="notify.drain:0")


def _drain(templates: frozenset[str] | None) -> tuple[int, bool]:
    started = time.monotonic()
    sent = 0
    while time.monotonic() - started < DRAIN_SECONDS:
        report = delivery.deliver_due(timezone.now(), DRAIN_BATCH, templates=templates)
        sent += len(report.ids)
        if len(report.ids) < DRAIN_BATCH:
            return sent, False
    return sent, True


@task(queue=rules.URGENT)
def drain_urgent(slot: int) -> str:
    """SMS codes only: never behind invitations, reports or rebuilds."""
    sent, more = _drain(URGENT_TEMPLATES)
    if more:
        enqueue(drain_urgent, slot, key=f"notify.drain:urgent:{slot}")
    return f"handled {sent}"


@task(queue=rules.DEFAULT)
def drain(slot: int) -> str:
    sent, more = _drain(None)
    if more:
        enqueue(drain, slot, key=f"notify.drain:{slot}")
    return f"handled {sent}"


@task(queue=rules.DEFAULT)
def deliver_outbox(now: str) -> str:
    """Queue enough drains for the backlog (and retries that became due)."""
    moment = datetime.fromisoformat(now)
    # Messages a dead worker left "sending" count once their lease is over.
    reclaimed = delivery.reclaim_expired(moment)
    urgent = delivery.due_count(moment, URGENT_TEMPLATES)
    for slot in range(_drains(urgent)):
        enqueue(drain_urgent, slot, key=f"notify.drain:urgent:{slot}")
    backlog = delivery.due_count(moment) - urgent
    drains = _drains(backlog)
    for slot in range(drains):
        enqueue(drain, slot, key=f"notify.drain:{slot}")
    return (f"backlog {backlog} (+{urgent} urgent), {drains} drains"
            + (f", {reclaimed} reclaimed" if reclaimed else ""))


def _drains(backlog: int) -> int:
    return min(MAX_DRAINS, math.ceil(backlog / MESSAGES_PER_DRAIN))
