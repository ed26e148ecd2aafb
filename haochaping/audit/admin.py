"""Read-only admin for the audit log: nobody adds, changes or deletes events here.

The whole log is deployment-wide, so only the audit administrator (审计管理员, 三员分立)
may browse it; scoped readers use :func:`haochaping.audit.selectors.object_history`.
Every page of it read is itself an audit event (``audit.read``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from haochaping.accounts.readonly_admin import ReadOnlyAdminMixin
from haochaping.accounts.roles import Role
from haochaping.audit.models import AuditEvent
from haochaping.audit.services import audit_record

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
    view_roles = frozenset({Role.AUDIT_ADMIN.value})

    def _record_read(self, request: HttpRequest, what: dict[str, Any]) -> None:
        if self._may_view(request):
            audit_record(action="audit.read", actor=request.user, after=what)

    def changelist_view(self, request: HttpRequest,
                        extra_context: dict[str, Any] | None = None) -> HttpResponse:
        self._record_read(request, {"view": "list",
                                    "query": {k: request.GET.getlist(k)[:5]
                                              for k in list(request.GET)[:20]}})
        return super().changelist_view(request, extra_context)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        self._record_read(request, {"view": "event", "event": object_id})
        return super().change_view(request, object_id, form_url, extra_context)
