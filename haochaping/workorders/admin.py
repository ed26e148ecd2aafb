"""Read-only admin for work orders (system admin only): every write goes through the
engine (services.workorder_transition), so nobody adds, changes or deletes here. The rater
is never shown: orders list the evaluation and handling by number only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin

from haochaping.accounts.readonly_admin import ReadOnlyAdminMixin
from haochaping.workorders.models import (
    Appeal,
    Escalation,
    Extension,
    Notification,
    WorkOrder,
    WorkOrderEvent,
)

if TYPE_CHECKING:
    ModelAdminBase = admin.ModelAdmin[Any]
    InlineBase = admin.TabularInline[Any, Any]
else:  # not subscriptable at run time
    ModelAdminBase = admin.ModelAdmin
    InlineBase = admin.TabularInline


class EventInline(ReadOnlyAdminMixin, InlineBase):
    model = WorkOrderEvent
    fields = readonly_fields = ("at", "action", "from_status", "to_status", "actor_label", "note")
    extra = 0
    can_delete = False
    verbose_name = "工单记录"
    verbose_name_plural = "办理记录"


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyAdminMixin, ModelAdminBase):
    list_display = ["public_id", "kind", "status", "org", "complexity", "rectify_due_at",
                    "overdue_at", "typical_case", "created_at"]
    list_filter = ["status", "kind", "typical_case", "complexity"]
    search_fields = ["public_id", "org__name"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    list_select_related = ["org"]
    fields = readonly_fields = ("public_id", "kind", "status", "org", "org_path", "complexity",
                                "typical_case", "published_at", "public_summary",
                                "satisfied", "evaluation_no", "handling_no",
                                "contact_due_at", "investigate_due_at", "rectify_due_at",
                                "appeal_file_due_at", "ruling_due_at", "paused_amount",
                                "paused_unit", "overdue_at", "created_at", "dispatched_at",
                                "signed_at", "replied_at", "returned_at", "appealed_at",
                                "closed_at", "voided_at", "updated_at")
    inlines = [EventInline]

    @admin.display(description="差评编号")
    def evaluation_no(self, obj: WorkOrder) -> str:
        return str(obj.evaluation_id or "—")

    @admin.display(description="办件编号")
    def handling_no(self, obj: WorkOrder) -> str:
        return str(obj.handling_id or "—")


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdminMixin, ModelAdminBase):
    list_display = ["order", "kind", "clock", "level", "period", "at"]
    list_filter = ["kind", "clock", "level"]
    ordering = ["-at"]
    list_select_related = ["order"]
    fields = readonly_fields = ("order", "kind", "clock", "period", "level", "note", "by", "at")


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdminMixin, ModelAdminBase):
    list_display = ["order", "grounds", "at", "filing_due_at", "ruling", "ruled_at"]
    list_filter = ["grounds", "ruling"]
    ordering = ["-at"]
    list_select_related = ["order"]
    fields = readonly_fields = ("order", "grounds", "evidence", "by", "at", "filing_due_at",
                                "ruling", "ruled_by", "ruled_at", "ruling_reason")


@admin.register(Extension)
class ExtensionAdmin(ReadOnlyAdminMixin, ModelAdminBase):
    list_display = ["order", "requested_due_date", "status", "at", "decided_at"]
    list_filter = ["status"]
    ordering = ["-at"]
    list_select_related = ["order"]
    fields = readonly_fields = ("order", "requested_due_date", "reason", "status", "by", "at",
                                "decided_by", "decided_at", "decision_note")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, ModelAdminBase):
    list_display = ["order", "org", "kind", "clock", "due_at", "created_at", "read_at"]
    list_filter = ["kind", "clock"]
    ordering = ["-created_at"]
    list_select_related = ["order", "org"]
    fields = readonly_fields = ("order", "org", "kind", "clock", "due_at", "text", "created_at",
                                "read_at")
