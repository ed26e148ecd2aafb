"""Tasks of the upward delivery (thin wrappers over ``sending`` and ``delivery``).

``deliver_outbox`` is the periodic job (``core.jobs``: every 5 s): it reclaims the leases
of dead workers, keeps the routes in line with the remotes, and queues, per remote with
due records and a breaker that lets it send, as many ``deliver`` slots as its backlog
needs (``HCP_EXCHANGE_SLOTS`` at most). Each slot is one task claiming its own batches
until nothing is due, the breaker opens or ``DELIVER_SECONDS`` are spent; then it queues
its own continuation. A slot's key keeps one waiting task per slot and its lock one
running, so a remote never has more requests in flight than it has slots.

``reconcile`` is the daily reconciliation's periodic job (every 10 min): yesterday's run
per active remote, and one ``reconcile_day`` task per due run (``exchange.reconciling``).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings

from haochaping.core.engine import enqueue, rules, task
from haochaping.exchange import breaker, delivery, reconciling, routes, sending
from haochaping.exchange.models import Remote
from haochaping.exchange.rules import delivery as exchange_rules

DELIVER_SECONDS = 20.0  # a slot hands over to a fresh task after this (fair to others)
ROWS_PER_SLOT = 500  # backlog per parallel slot the periodic job queues


def _slot_key(remote_id: int, slot: int) -> str:
    return f"exchange.deliver:{remote_id}:{slot}"


def queue_slot(remote_id: int, slot: int) -> None:
    """Queue delivery slot ``slot`` of a remote unless it already waits."""
    enqueue(deliver, remote_id, slot, key=_slot_key(remote_id, slot))


@task(queue=rules.DEFAULT, lock=_slot_key)
def deliver(remote_id: int, slot: int) -> str:
    report, more = sending.deliver_remote(remote_id, budget_seconds=DELIVER_SECONDS)
    if more:
        queue_slot(remote_id, slot)
    return report.summary()


@task(queue=rules.DEFAULT)
def deliver_outbox(now: str) -> str:
    """Queue the delivery slots the remotes' backlogs need."""
    moment = datetime.fromisoformat(now)
    reclaimed = delivery.reclaim_expired(moment)
    rerouted = routes.routes_sync()
    max_slots = max(1, int(settings.HCP_EXCHANGE_SLOTS))
    parts = []
    for remote_id in Remote.objects.filter(is_active=True).values_list("pk", flat=True):
        gate = breaker.peek(remote_id, moment)
        if gate is exchange_rules.Gate.WAIT:
            parts.append(f"{remote_id}: open")
            continue
        backlog = delivery.due(remote_id, moment, cap=ROWS_PER_SLOT * max_slots)
        slots = exchange_rules.slots_for(backlog, ROWS_PER_SLOT, max_slots)
        if gate is exchange_rules.Gate.PROBE:
            slots = min(slots, 1)  # one probe decides whether the remote is back
        for slot in range(slots):
            queue_slot(remote_id, slot)
        if backlog:
            parts.append(f"{remote_id}: {backlog} due, {slots} slots")
    extra = [f"{reclaimed} reclaimed"] if reclaimed else []
    extra += [f"{rerouted} routes changed"] if rerouted else []
    return "; ".join(parts + extra) or "nothing due"


# --- the daily reconciliation (对账, exchange.reconciling) --------------------------------


def _run_key(run_id: int) -> str:
    return f"exchange.reconcile:{run_id}"


@task(queue=rules.REPORTS)
def reconcile(now: str) -> str:
    """The periodic job: make yesterday's run of every active remote, then queue one task
    per due (remote, day) run, so that many workers share a day's reconciliation."""
    moment = datetime.fromisoformat(now)
    made = reconciling.runs_ensure(moment)
    queued = sum(enqueue(reconcile_day, run_id, key=_run_key(run_id)) is not None
                 for run_id in reconciling.due_runs(moment))
    return f"{made} runs made, {queued} queued"


@task(queue=rules.REPORTS, lock=_run_key)
def reconcile_day(run_id: int) -> str:
    return reconciling.reconcile_run(run_id)
