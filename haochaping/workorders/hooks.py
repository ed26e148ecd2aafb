"""Hook tables of the work-order engine: how upper apps react to orders (STYLE.md §15).

The workorders app may not import the apps above it (exchange). An upper app appends its
reaction here in its ``AppConfig.ready()``; the engine calls the hooks inside the
transition's transaction, so whatever a hook writes commits with the transition or not
at all. Hooks take ids, never objects.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q

OrderHook = Callable[[int], None]

# An order opened without a rating (services.requests: a forwarded or filed complaint,
# inquiry or suggestion) had its reply released to the submitter: the office's QA passed
# it, or (without QA) the department replied or its head approved. Fired in that
# transaction, after the transition is written and before the order closes.
request_answered: list[OrderHook] = []

# Such an order closed: the order's id. The exchange records the outcome to send it back
# to the platform that forwarded the item. Fired after ``request_answered``.
request_closed: list[OrderHook] = []


def fire(hooks: list[OrderHook], order_id: int) -> None:
    for hook in hooks:
        hook(order_id)


# Orders a staff member must never see (seed 004 §10): given the reading user's Staff id,
# a condition on WorkOrder matching the orders about them that the apps above know of
# (complaints: an item about that staff member). ``selectors.visible_orders`` excludes
# each. Takes the id, returns a Q; never reads rows itself.
StaffHidden = Callable[[int], Q]
hidden_from_staff: list[StaffHidden] = []
