"""Read-only admin for the audit log: nobody adds, changes or deletes events here.

The whole log is deployment-wide, so only the system admin may browse it; scoped readers
use :func:`haochaping.audit.selectors.object_history`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from haochaping.accounts import rules as access
from haochaping.accounts.roles import Role
from haochaping.audit.models import AuditEvent

if TYPE_CHECKING:
    AuditAdminBase = admin.ModelAdmin[AuditEvent]
else:  # ModelAdmin is not subscriptable at run time
    AuditAdminBase = admin.ModelAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(AuditAdminBase):
    list_display = ["seq", "at", "actor_label", "action", "object_type", "object_id", "ip"]
    list_filter = ["action", "actor_label", "at"]
    search_fields = ["object_type", "object_id"]
    date_hierarchy = "at"
    ordering = ["-seq"]
    list_per_page = 100
    show_full_result_count = False  # counting a long log on every page is slow
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        user: Any = request.user
        role = getattr(user, "role", None)
        return (user.is_active and role == Role.SYSTEM_ADMIN.value
                and access.role_allows(role, access.AUDIT_LOG, access.READ))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
