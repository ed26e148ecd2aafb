"""Shared admin pieces. Records written only by services (evaluations, audit events, work
orders, outbox rows) are shown read-only: no add, change or delete from the admin.

Here in access (not in core, which imports no app) because who may view is a role question.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.http import HttpRequest

from haochaping.accounts.roles import Role


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
