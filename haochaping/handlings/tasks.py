"""Tasks of the handlings app."""

from __future__ import annotations

from haochaping.core.engine import rules, task


@task(queue=rules.URGENT)
def wake_pads(window_ids: list[int]) -> str:
    """Tell the evaluator pads of these windows that a handling completed there (their
    long-poll wakes up): from the urgent queue, so never behind a report."""
    from haochaping.handlings.services import bump_pads

    bump_pads(window_ids)
    return f"woke {len(window_ids)} windows"
