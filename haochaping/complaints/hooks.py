"""Hook tables of the complaints app: how upper apps react to items (STYLE.md §15).

The complaints app may not import the apps above it (exchange). An upper app appends its
reaction here in its ``AppConfig.ready()``; the service calls the hooks inside the
decision's transaction, so whatever a hook writes commits with it or not at all. Hooks
take ids, never objects.
"""

from __future__ import annotations

from collections.abc import Callable

ItemHook = Callable[[int], None]

# The office refused an item (from triage or 待交办): the submission's id. The exchange
# answers the refusal back to the platform that forwarded the item.
submission_refused: list[ItemHook] = []


def fire(hooks: list[ItemHook], submission_id: int) -> None:
    for hook in hooks:
        hook(submission_id)
