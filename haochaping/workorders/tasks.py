"""Thin task wrappers for the periodic jobs of the workorders app (core.jobs)."""

from __future__ import annotations

from datetime import datetime


def deadline_warnings(now: datetime) -> str:
    """Warn the owing org before a duty clock runs out (in-app and SMS)."""
    from haochaping.workorders.services.clocks import sweep_deadline_warnings

    return sweep_deadline_warnings(now)


def overdue(now: datetime) -> str:
    """Mark overdue orders and escalate them to the supervising office (督办)."""
    from haochaping.workorders.services.clocks import sweep_overdue

    return sweep_overdue(now)


def repair(now: datetime) -> str:
    """Open orders a crash left missing; void orders of invalidated evaluations."""
    from haochaping.workorders.services import sweep_missing_orders
    from haochaping.workorders.services.clocks import sweep_voided_evaluations

    return f"{sweep_missing_orders(now)}; {sweep_voided_evaluations(now)}"
