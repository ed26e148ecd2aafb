"""Admin for the outbox (read-only, with a "retry dead message" action) and the message
templates (editable; every save goes through ``notify.services.template_update``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from haochaping.accounts import rules as access
from haochaping.accounts.readonly_admin import ReadOnlyAdminMixin, requeue_each
from haochaping.accounts.scoping import actor_for_user
from haochaping.core.clientip import client_ip_or_none
from haochaping.core.errors import AppError
from haochaping.notify import rules
from haochaping.notify.models import InboundSms, MessageTemplate, OutboxMessage
from haochaping.notify.services import outbox_retry, template_update

if TYPE_CHECKING:
    _AdminBase = admin.ModelAdmin[Any]
    _TemplateFormBase = forms.ModelForm[MessageTemplate]
else:
    _AdminBase = admin.ModelAdmin
    _TemplateFormBase = forms.ModelForm

OUTBOX_FIELDS = ("template", "recipient", "params_state", "dedupe_key", "status", "attempts",
                 "next_attempt_at", "locked_until", "last_error", "provider_id",
                 "created_at", "sent_at")


def _ip(request: HttpRequest) -> str | None:
    return client_ip_or_none(request)


class ReadOnlyAdmin(ReadOnlyAdminMixin, _AdminBase):
    """Outbox and inbound rows are written by the delivery job and the webhook only."""


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    # The recipient is shown masked (the rater's stored mask) and the parameters not at
    # all: their values (SMS codes, invitation links) are live credentials.
    list_display = ["id", "template", "recipient", "status", "attempts", "next_attempt_at",
                    "sent_at", "short_error"]
    list_filter = ["status", "template"]
    search_fields = ["dedupe_key", "provider_id"]
    ordering = ["-id"]
    fields = OUTBOX_FIELDS
    readonly_fields = OUTBOX_FIELDS
    actions = ["retry_dead"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[OutboxMessage]:
        return super().get_queryset(request).select_related("rater")

    @admin.display(description="参数")
    def params_state(self, obj: OutboxMessage) -> str:
        return "（已加密，仅在投递时解密）" if obj.params_cipher else "—"

    @admin.display(description="收件人")
    def recipient(self, obj: OutboxMessage) -> str:
        if obj.rater is not None:
            return obj.rater.phone_masked or obj.rater.name_masked
        return "（加密地址）"

    @admin.display(description="最近错误")
    def short_error(self, obj: OutboxMessage) -> str:
        return obj.last_error[:60]

    @admin.action(description="重发所选死信消息")
    def retry_dead(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        actor = actor_for_user(request.user)
        ip = _ip(request)
        requeue_each(self, request, queryset,
                     lambda message: outbox_retry(actor=actor, message=message, ip=ip), "消息")


class MessageTemplateForm(_TemplateFormBase):
    class Meta:
        model = MessageTemplate
        fields = ["name", "body", "gateway_template_id", "is_active"]

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"]
        try:
            rules.check_template(self.instance.code, body)
        except rules.TemplateError as exc:
            raise forms.ValidationError(exc.message) from exc
        return body


@admin.register(MessageTemplate)
class MessageTemplateAdmin(_AdminBase):
    form = MessageTemplateForm
    list_display = ["code", "name", "is_active", "gateway_template_id", "length", "updated_at"]
    readonly_fields = ["code", "channel", "placeholders_hint", "updated_at"]
    fields = ["code", "channel", "name", "body", "placeholders_hint", "gateway_template_id",
              "is_active", "updated_at"]

    @admin.display(description="字数（不含参数）")
    def length(self, obj: MessageTemplate) -> int:
        return len(obj.body)

    @admin.display(description="可用占位符")
    def placeholders_hint(self, obj: MessageTemplate) -> str:
        allowed = rules.TEMPLATE_PARAMS.get(obj.code, frozenset())
        return "、".join(f"{{{name}}}" for name in sorted(allowed)) or "—"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # templates are seeded by migration; callers name them in code

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deployment-wide text: the business role must allow it too (system admin).
        actor = actor_for_user(request.user)
        return (super().has_change_permission(request, obj)
                and actor.allows(access.POLICY, access.WRITE) and actor.scope_path is None)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: MessageTemplate, form: Any,
                   change: bool) -> None:
        try:
            template_update(actor=actor_for_user(request.user), template=obj,
                            name=form.cleaned_data["name"], body=form.cleaned_data["body"],
                            gateway_template_id=form.cleaned_data["gateway_template_id"],
                            is_active=form.cleaned_data["is_active"], ip=_ip(request))
        except AppError as exc:
            # The form has already checked the body; what is left is the role check.
            self.message_user(request, f"未保存：{exc.message}", messages.ERROR)


@admin.register(InboundSms)
class InboundSmsAdmin(ReadOnlyAdmin):
    list_display = ["id", "provider_id", "body", "outcome", "received_at"]
    list_filter = ["outcome"]
    search_fields = ["provider_id"]
    ordering = ["-id"]
