"""Hook tables of the evaluations app: how upper apps react to ratings (STYLE.md §15).

Evaluations may not import the apps above it (work orders, statistics). An upper app
appends its reaction here in its ``AppConfig.ready()``; the evaluations services call
the hooks inside the writing transaction, so whatever a hook writes (typically a task
for the engine) commits with the rating or not at all. Hooks take ids, never objects.
"""

from __future__ import annotations

from collections.abc import Callable

EvaluationHook = Callable[[int], None]

# A rating that needs its work order opened or updated (a bad review, or a re-rating
# of a handling that had one): the new evaluation's id.
rating_needs_workorder: list[EvaluationHook] = []
# A rating invalidated outside an appeal (its open work order is voided): its id.
rating_invalidated: list[EvaluationHook] = []


def fire(hooks: list[EvaluationHook], evaluation_id: int) -> None:
    for hook in hooks:
        hook(evaluation_id)
