"""The per-person inbox (站内通知) as data: which events a person may be told of, which of
them are urgent enough for an SMS, and the preference a person may set. Pure: no ORM.

The events are named by what happened to a piece of work, not by the app that writes it,
so notify stays transport: the work-order services compose the text and the link.
"""

from __future__ import annotations

from collections.abc import Iterable

EVENTS: dict[str, str] = {
    "new": "新工单到达",
    "returned": "工单被退回重办",
    "review": "答复待我审阅",
    "warning": "办理时限即将到期",
    "overdue": "办理时限已逾期",
}
# An SMS goes out for these (when the person keeps SMS on and has a phone): a warning and
# an overdue deadline always, a new or returned order when it is urgent (加急).
ALWAYS_URGENT: frozenset[str] = frozenset({"warning", "overdue"})


def clean_muted(values: Iterable[str]) -> list[str]:
    """The events a person turned off, known ones only, in the table's order."""
    wanted = set(values)
    return [event for event in EVENTS if event in wanted]


def wants(muted: Iterable[str], event: str) -> bool:
    """Whether a person with ``muted`` events is told of ``event`` in the inbox."""
    return event not in set(muted)
