"""Tasks of the workorders app: follow-ups of ratings and the clock sweeps (core.jobs)."""

from __future__ import annotations

from datetime import datetime

from haochaping.core.engine import enqueue, rules, task
from haochaping.core.engine.fanout import fan_out

ORDER_CHUNK = 500


def queue_open_for_rating(evaluation_id: int) -> None:
    """evaluations hook: queue the work order of a bad (or re-)rating."""
    enqueue(open_for_rating, evaluation_id)


def queue_void_for_invalidated(evaluation_id: int) -> None:
    """evaluations hook: queue the voiding of an invalidated rating's open order."""
    enqueue(void_for_invalidated, evaluation_id)


@task(queue=rules.DEFAULT, lock=lambda evaluation_id: f"workorders.evaluation:{evaluation_id}")
def open_for_rating(evaluation_id: int) -> str:
    """Open (or update) the work order of a bad review: 谁办理谁负责 (issue 4)."""
    from haochaping.workorders.services import workorder_on_rating_id

    workorder_on_rating_id(evaluation_id)
    return f"evaluation {evaluation_id}"


@task(queue=rules.DEFAULT, lock=lambda evaluation_id: f"workorders.evaluation:{evaluation_id}")
def void_for_invalidated(evaluation_id: int) -> str:
    from haochaping.workorders.services import workorder_on_invalidated_id

    return f"voided {workorder_on_invalidated_id(evaluation_id)}"


@task(queue=rules.SWEEPS, lock="workorders.deadline_warnings")
def deadline_warnings(now: str) -> str:
    """Warn the owing org before a duty clock runs out (in-app and SMS): fans out into
    chunks of open orders that workers share."""
    from haochaping.workorders.services.clocks import open_order_ids

    ids = open_order_ids()
    chunks = fan_out(deadline_warnings_chunk, now, ids, size=ORDER_CHUNK,
                     key="workorders.deadline_warnings")
    return f"{len(ids)} open orders, {chunks} chunks"


@task(queue=rules.SWEEPS)
def deadline_warnings_chunk(now: str, low: int, high: int) -> str:
    from haochaping.workorders.services.clocks import sweep_deadline_warnings

    return sweep_deadline_warnings(datetime.fromisoformat(now), (low, high))


@task(queue=rules.SWEEPS, lock="workorders.overdue")
def overdue(now: str) -> str:
    """Mark overdue orders and escalate them to the supervising office (督办), in chunks
    of open orders that workers share."""
    from haochaping.workorders.services.clocks import open_order_ids

    ids = open_order_ids()
    chunks = fan_out(overdue_chunk, now, ids, size=ORDER_CHUNK, key="workorders.overdue")
    return f"{len(ids)} open orders, {chunks} chunks"


@task(queue=rules.SWEEPS)
def overdue_chunk(now: str, low: int, high: int) -> str:
    from haochaping.workorders.services.clocks import sweep_overdue

    return sweep_overdue(datetime.fromisoformat(now), (low, high))


@task(queue=rules.SWEEPS, lock="workorders.repair")
def repair(now: str) -> str:
    """Open orders a lost task left missing; void orders of invalidated evaluations."""
    from haochaping.workorders.services import sweep_missing_orders
    from haochaping.workorders.services.clocks import sweep_voided_evaluations

    moment = datetime.fromisoformat(now)
    return f"{sweep_missing_orders(moment)}; {sweep_voided_evaluations(moment)}"
