"""Admin of the upward outbox (read-only, with a re-send action for refused and dead
records; the office screen /work/exchange/ is the everyday view)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from haochaping.accounts.readonly_admin import ReadOnlyAdminMixin, requeue_each
from haochaping.accounts.scoping import actor_for_user
from haochaping.core.clientip import client_ip_or_none
from haochaping.exchange.models import OutboxRecord
from haochaping.exchange.services import outbox_resend

if TYPE_CHECKING:
    _AdminBase = admin.ModelAdmin[Any]
else:
    _AdminBase = admin.ModelAdmin


@admin.register(OutboxRecord)
class OutboxRecordAdmin(ReadOnlyAdminMixin, _AdminBase):
    list_display = ["id", "remote", "record_key", "status", "attempts", "day",
                    "next_attempt_at", "acked_at", "short_error"]
    list_filter = ["status", "kind", "remote"]
    search_fields = ["record_key"]
    ordering = ["-id"]
    actions = ["resend"]

    @admin.display(description="最近错误")
    def short_error(self, obj: OutboxRecord) -> str:
        return obj.last_error[:60]

    @admin.action(description="重新上报所选拒收或死信记录")
    def resend(self, request: HttpRequest, queryset: QuerySet[OutboxRecord]) -> None:
        actor = actor_for_user(request.user)
        ip = client_ip_or_none(request)
        requeue_each(self, request, queryset,
                     lambda record: outbox_resend(actor=actor, record=record, ip=ip), "记录")
