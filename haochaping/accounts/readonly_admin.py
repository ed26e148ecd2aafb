"""Shared admin pieces. Records written only by services (evaluations, audit events, work
orders, outbox rows) are shown read-only: no add, change or delete from the admin.

Here in access (not in core, which imports no app) because who may view is a role question.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from django.contrib import messages
from django.http import HttpRequest

from haochaping.accounts.roles import Role
from haochaping.core.errors import AppError


class ReadOnlyAdminMixin:
    """View only, for the roles in ``view_roles`` (default: the system admin)."""

    view_roles: ClassVar[frozenset[str]] = frozenset({Role.SYSTEM_ADMIN.value})
    staff_only: ClassVar[bool] = False

    def _may_view(self, request: HttpRequest) -> bool:
        user: Any = request.user
        if not (user.is_active and getattr(user, "role", None) in self.view_roles):
            return False
        return bool(user.is_staff) or not self.staff_only

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_view(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_view(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def requeue_each(modeladmin: Any, request: HttpRequest, rows: Iterable[Any],
                 requeue: Callable[[Any], object], noun: str) -> None:
    """An admin action over the selected rows that calls a service per row (re-send a dead
    letter, retry an outbox message): counts what was done, and groups the service's
    refusals by their Chinese message for the operator."""
    done = 0
    refusals: dict[str, int] = {}
    for row in rows:
        try:
            requeue(row)
            done += 1
        except AppError as exc:
            refusals[exc.message] = refusals.get(exc.message, 0) + 1
    if done:
        modeladmin.message_user(request, f"已重新排队 {done} 条{noun}。", messages.SUCCESS)
    for reason, count in refusals.items():
        modeladmin.message_user(request, f"{count} 条{noun}未处理：{reason}", messages.WARNING)
