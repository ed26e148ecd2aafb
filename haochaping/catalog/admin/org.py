"""Admin for regions, orgs, halls, windows, staff and matters.

Saves go through ``catalog.services.catalog`` so they are scoped and audited; deletes are
off (rows are referenced by handlings and evaluations: deactivate instead). Regions are
read-only here and maintained by import (``haochaping import regions``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from haochaping.accounts.scoping import actor_for_user, scope
from haochaping.catalog.importing.columns import ENTITY_COLUMNS
from haochaping.catalog.models import Hall, Matter, Org, Region, Staff, Window
from haochaping.catalog.services import catalog as svc
from haochaping.core.errors import AppError

REF_ATTRS = {"parent_code": "parent", "region_code": "region", "org_code": "org",
             "hall_code": "hall", "window_code": "window"}


def _fields(entity: str, obj: Model) -> dict[str, Any]:
    """The service's ``fields`` (import column keys) from a form-filled instance."""
    data: dict[str, Any] = {}
    for column in ENTITY_COLUMNS[entity]:
        attr = REF_ATTRS.get(column.key)
        if attr is None:
            data[column.key] = getattr(obj, column.key)
        else:
            related = getattr(obj, attr)
            data[column.key] = related.code if related is not None else None
    return data


class ServiceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    entity = ""
    path_field = "org__path"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scope(super().get_queryset(request), actor_for_user(request.user),
                     self.path_field)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor = actor_for_user(request.user)
        fields = _fields(self.entity, obj)
        current = type(obj).objects.get(pk=obj.pk) if change else None
        try:
            saved = self.save_with(actor, current, fields)
        except AppError as exc:
            self.message_user(request, f"未保存：{exc.message}", level=messages.ERROR)
            return
        obj.pk = saved.pk

    def save_with(self, actor: Any, current: Any, fields: dict[str, Any]) -> Model:
        raise NotImplementedError


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Org)
class OrgAdmin(ServiceAdmin):
    entity = "orgs"
    path_field = "path"
    list_display = ["code", "name", "kind", "level", "region", "parent", "is_active"]
    list_filter = ["kind", "level", "is_active"]
    search_fields = ["code", "name", "short_name"]
    readonly_fields = ["path"]
    autocomplete_fields = ["parent", "region"]

    def save_with(self, actor: Any, current: Any, fields: dict[str, Any]) -> Model:
        if current is None:
            return svc.org_create(actor=actor, fields=fields)
        return svc.org_update(actor=actor, org=current, fields=fields)


@admin.register(Hall)
class HallAdmin(ServiceAdmin):
    entity = "halls"
    list_display = ["code", "name", "org", "region", "level", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name", "address"]
    autocomplete_fields = ["org", "region"]

    def save_with(self, actor: Any, current: Any, fields: dict[str, Any]) -> Model:
        return svc.hall_save(actor=actor, hall=current, fields=fields)


@admin.register(Window)
class WindowAdmin(ServiceAdmin):
    entity = "windows"
    list_display = ["code", "number", "name", "hall", "org", "is_active"]
    list_filter = ["is_active", "hall"]
    search_fields = ["code", "name", "number"]
    autocomplete_fields = ["org", "hall"]

    def save_with(self, actor: Any, current: Any, fields: dict[str, Any]) -> Model:
        return svc.window_save(actor=actor, window=current, fields=fields)


@admin.register(Staff)
class StaffAdmin(ServiceAdmin):
    entity = "staff"
    list_display = ["staff_no", "name", "org", "window", "title", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["staff_no", "name"]
    autocomplete_fields = ["org", "window"]
    exclude = ["photo"]

    def save_with(self, actor: Any, current: Any, fields: dict[str, Any]) -> Model:
        return svc.staff_save(actor=actor, staff=current, fields=fields)


@admin.register(Matter)
class MatterAdmin(ServiceAdmin):
    entity = "matters"
    list_display = ["impl_code", "version", "code", "name", "category", "org",
                    "handling_type", "promised_days", "is_active"]
    list_filter = ["category", "handling_type", "online_available", "is_active"]
    search_fields = ["code", "impl_code", "name"]
    autocomplete_fields = ["org"]

    def save_with(self, actor: Any, current: Any, fields: dict[str, Any]) -> Model:
        return svc.matter_save(actor=actor, matter=current, fields=fields)
