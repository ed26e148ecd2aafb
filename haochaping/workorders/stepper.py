"""Where an order stands, as the order page's stepper (进度) and the split of the actor's
actions into the next steps and the others. Pure: no ORM. The actions themselves come
from the engine (``selectors.available_actions`` over ``rules.TRANSITIONS``); this module
only orders and groups what the engine allows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from haochaping.workorders.rules import STATE_LABELS, TRANSITIONS, Action, State

# Actions that are not the order's main line: offered under 其他操作.
SIDE_ACTIONS: frozenset[Action] = frozenset({
    Action.VERIFY, Action.EXTENSION_REQUEST, Action.APPEAL_FILE, Action.REDISPATCH,
    Action.MARK_TYPICAL})
# A state off the main line shown at the main-line step it interrupts.
DETOURS: dict[State, State] = {State.RETURNED: State.SIGNED, State.APPEALING: State.SIGNED}


@dataclass(frozen=True)
class Step:
    label: str
    mark: str  # "done", "current" or "todo"
    note: str = ""  # the detour shown at the current step (退回重办, 申诉中)


def main_line(*, head_approval: bool, qa: bool) -> list[State]:
    """The states an order passes through when all goes well, by the local policy."""
    line = [State.DISPATCHED, State.SIGNED]
    if head_approval:
        line.append(State.APPROVING)
    if qa:
        line.append(State.REPLIED)
    return [*line, State.CLOSED]


def stepper(status: State, *, head_approval: bool, qa: bool) -> list[Step]:
    """The main line with the order's place on it; a voided order ends in 已撤销."""
    line = main_line(head_approval=head_approval, qa=qa)
    if status is State.VOIDED:
        return [*(Step(STATE_LABELS[s], "todo") for s in line[:-1]),
                Step(STATE_LABELS[State.VOIDED], "current")]
    at = DETOURS.get(status, status)
    if at not in line:  # a state the policy skips (e.g. 已反馈 without QA): just after
        at = line[-1] if status is State.CLOSED else State.SIGNED
    index = line.index(at)
    steps = []
    for i, state in enumerate(line):
        mark = "done" if i < index or (state is State.CLOSED and i == index) else (
            "current" if i == index else "todo")
        note = STATE_LABELS[status] if i == index and status in DETOURS else ""
        steps.append(Step(STATE_LABELS[state], mark, note))
    return steps


def split_actions(actions: Iterable[Action]) -> tuple[list[Action], list[Action]]:
    """(next steps, other actions) of what the engine allows, in the table's order."""
    allowed = list(actions)
    main = [a for a in allowed if a not in SIDE_ACTIONS]
    return main, [a for a in allowed if a in SIDE_ACTIONS]


def action_label(action: Action) -> str:
    return TRANSITIONS[action].label
