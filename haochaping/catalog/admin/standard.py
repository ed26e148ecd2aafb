"""Admin for the evaluation standards: versions with their items, indicators and reasons.

``is_active`` is read-only here; activation goes through the admin action, which calls
:func:`standard_version_activate` (permission check, one transaction, audit row).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.models import BadReason, ContentItem, Indicator, StandardVersion
from haochaping.catalog.services.standards import standard_version_activate
from haochaping.core.errors import AppError

if TYPE_CHECKING:
    ItemInlineBase = admin.TabularInline[ContentItem, StandardVersion]
    IndicatorInlineBase = admin.TabularInline[Indicator, StandardVersion]
    ReasonInlineBase = admin.TabularInline[BadReason, StandardVersion]
    VersionAdminBase = admin.ModelAdmin[StandardVersion]
else:  # the admin classes are not subscriptable at run time
    ItemInlineBase = IndicatorInlineBase = ReasonInlineBase = admin.TabularInline
    VersionAdminBase = admin.ModelAdmin


class ContentItemInline(ItemInlineBase):
    model = ContentItem
    extra = 0
    fields = ["level", "code", "text", "sort", "shown_by_default"]
    ordering = ["-level", "sort"]


class IndicatorInline(IndicatorInlineBase):
    model = Indicator
    extra = 0
    fields = ["channel_group", "code", "name", "sort"]


class BadReasonInline(ReasonInlineBase):
    model = BadReason
    extra = 0
    fields = ["code", "text", "sort"]


@admin.register(StandardVersion)
class StandardVersionAdmin(VersionAdminBase):
    list_display = ["code", "name", "valid_from", "valid_to", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
    readonly_fields = ["is_active"]
    inlines = [ContentItemInline, IndicatorInline, BadReasonInline]
    actions = ["activate_version"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Ratings keep a reference to their version; a version is retired, never deleted.
        return False

    @admin.action(description="启用所选评价标准版本")
    def activate_version(self, request: HttpRequest,
                         queryset: QuerySet[StandardVersion]) -> None:
        if queryset.count() != 1:
            self.message_user(request, "请只选择一个版本启用", level=messages.ERROR)
            return
        version = queryset.get()
        try:
            standard_version_activate(actor=actor_for_user(request.user), version=version)
        except AppError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return
        self.message_user(request, f"已启用“{version.name}”", level=messages.SUCCESS)
