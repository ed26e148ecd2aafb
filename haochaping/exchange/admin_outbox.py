"""Admin of the upward outbox (read-only, with a re-send action for refused and dead
records; the office screen /work/exchange/ is the everyday view)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from haochaping.accounts.readonly_admin import ReadOnlyAdminMixin
from haochaping.accounts.scoping import actor_for_user
from haochaping.core.clientip import client_ip_or_none
from haochaping.core.errors import AppError
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
        done = 0
        refusals: dict[str, int] = {}
        for record in queryset:
            try:
                outbox_resend(actor=actor, record=record, ip=client_ip_or_none(request))
                done += 1
            except AppError as exc:
                refusals[exc.message] = refusals.get(exc.message, 0) + 1
        if done:
            self.message_user(request, f"已重新排队 {done} 条记录。", messages.SUCCESS)
        for reason, count in refusals.items():
            self.message_user(request, f"{count} 条记录未处理：{reason}", messages.WARNING)
