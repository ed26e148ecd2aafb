"""Read-only admin for the audit log: nobody adds, changes or deletes events here.

The whole log is deployment-wide, so only the system admin may browse it; scoped readers
use :func:`haochaping.audit.selectors.object_history`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin

from haochaping.accounts.readonly_admin import ReadOnlyAdminMixin
from haochaping.audit.models import AuditEvent

if TYPE_CHECKING:
    AuditAdminBase = admin.ModelAdmin[AuditEvent]
else:  # ModelAdmin is not subscriptable at run time
    AuditAdminBase = admin.ModelAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, AuditAdminBase):
    list_display = ["chain", "seq", "at", "actor_label", "action", "object_type", "object_id", "ip"]
    list_filter = ["action", "actor_label", "at"]
    search_fields = ["object_type", "object_id"]
    date_hierarchy = "at"
    ordering = ["-id"]
    list_per_page = 100
    show_full_result_count = False  # counting a long log on every page is slow
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
