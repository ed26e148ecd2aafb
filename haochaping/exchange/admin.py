"""Admin for the exchange's configuration: profiles an office adds without code, and the
remote platforms.

Saves go through ``profiles_store`` (system admin only, audited); the forms run the same
checks first, so a bad profile shows its Chinese error, naming the bad key, on the form.
A new profile starts from a shipped one (``?base=zhejiang``; the national one otherwise).
The upward outbox's admin (read-only, re-send) lives in ``admin_outbox``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import actor_for_user
from haochaping.core.clientip import client_ip_or_none
from haochaping.core.errors import AppError
from haochaping.exchange.admin_outbox import OutboxRecordAdmin
from haochaping.exchange.keys import env_name, key_status
from haochaping.exchange.models import ProfileDoc, Remote
from haochaping.exchange.profiles_store import (
    REMOTE_FIELDS,
    profile_doc_delete,
    profile_doc_save,
    profile_from_doc,
    profile_get,
    profile_names,
    remote_check,
    remote_save,
)
from haochaping.exchange.rules.canonical import KIND_LABELS, Kind
from haochaping.exchange.rules.errors import ProfileError
from haochaping.exchange.rules.profiles import shipped_document, shipped_names

if TYPE_CHECKING:
    _DocFormBase = forms.ModelForm[ProfileDoc]
    _DocAdminBase = admin.ModelAdmin[ProfileDoc]
    _RemoteFormBase = forms.ModelForm[Remote]
    _RemoteAdminBase = admin.ModelAdmin[Remote]
else:
    _DocFormBase = _RemoteFormBase = forms.ModelForm
    _DocAdminBase = _RemoteAdminBase = admin.ModelAdmin

BODY_HELP = ("对接规范的 JSON 配置（格式见 docs/exchange.md “Profiles”）：字段名与别名、代码表、"
             "日期格式、批量、签名与加密。名称与说明取自上方两栏。")


class _SystemAdminOnly:
    """Deployment-wide configuration: the business role must allow it (system admin)."""

    def _may_write(self, request: HttpRequest) -> bool:
        actor = actor_for_user(request.user)
        return actor.allows(access.POLICY, access.WRITE) and actor.scope_path is None

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return super().has_add_permission(request, *args) and self._may_write(request)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._may_write(request)  # type: ignore[misc]


class ProfileDocForm(_DocFormBase):
    body = forms.JSONField(label="配置", help_text=BODY_HELP,
                           widget=forms.Textarea(attrs={"rows": 30, "cols": 110}))

    class Meta:
        model = ProfileDoc
        fields = ["name", "label", "body"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name = data.get("name") or self.instance.name
        if name and data.get("label") and "body" in data:
            try:
                profile_from_doc(name, data["label"], data["body"])
            except ProfileError as exc:
                self.add_error("body", exc.message)
        return data


@admin.register(ProfileDoc)
class ProfileDocAdmin(_SystemAdminOnly, _DocAdminBase):
    form = ProfileDocForm
    list_display = ["name", "label", "replaces_shipped", "updated_at"]
    search_fields = ["name", "label"]
    ordering = ["name"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The name is what remotes refer to: to rename, add another and move the remotes.
        return ["name", "summary"] if obj is not None else ["shipped"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["name", "label", "summary", "body"] if obj is not None \
            else ["name", "label", "shipped", "body"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        base = request.GET.get("base", "national")
        document = shipped_document(base if base in shipped_names() else "national")
        body = {k: v for k, v in document.items() if k not in ("name", "label")}
        return {"body": json.dumps(body, ensure_ascii=False, indent=2)}

    @admin.display(description="替换内置规范", boolean=True)
    def replaces_shipped(self, obj: ProfileDoc) -> bool:
        return obj.name in shipped_names()

    @admin.display(description="内置规范（可作为起点：?base=名称）")
    def shipped(self, obj: Any = None) -> str:
        return "、".join(shipped_names())

    @admin.display(description="概要")
    def summary(self, obj: ProfileDoc) -> str:
        try:
            profile = profile_get(obj.name)
        except (AppError, ProfileError) as exc:
            return f"无效：{exc.message}"
        rows = [(KIND_LABELS[k], spec.path) for k, spec in profile.kinds.items()]
        rows += [("签名", f"{profile.signing.alg}（{profile.signing.carrier}）"),
                 ("加密", profile.encryption.alg), ("每批条数", str(profile.envelope.max_items))]
        return format_html("<table>{}</table>", format_html_join(
            "", "<tr><th>{}</th><td>{}</td></tr>", rows))

    def save_model(self, request: HttpRequest, obj: ProfileDoc, form: Any,
                   change: bool) -> None:
        doc = profile_doc_save(actor=actor_for_user(request.user), name=obj.name,
                               label=form.cleaned_data["label"], body=form.cleaned_data["body"],
                               ip=client_ip_or_none(request))
        obj.pk, obj.created_at, obj.updated_at = doc.pk, doc.created_at, doc.updated_at

    def delete_model(self, request: HttpRequest, obj: ProfileDoc) -> None:
        try:
            profile_doc_delete(actor=actor_for_user(request.user), doc=obj,
                               ip=client_ip_or_none(request))
        except AppError as exc:
            self.message_user(request, f"未删除：{exc.message}", messages.ERROR)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ProfileDoc]) -> None:
        for doc in queryset:
            self.delete_model(request, doc)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_write(request)


def _https_urls(field: Any, **kwargs: Any) -> Any:
    """Form fields of the remote's model fields; a URL typed without a scheme is https."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class RemoteForm(_RemoteFormBase):
    profile = forms.ChoiceField(label="对接规范")
    kinds = forms.MultipleChoiceField(
        label="上报类型", required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(k.value, KIND_LABELS[k]) for k in Kind],
        help_text="不选表示该规范支持的全部类型")

    class Meta:
        model = Remote
        fields = list(REMOTE_FIELDS)
        formfield_callback = _https_urls

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = [(n, n) for n in profile_names()]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if any(f in self.errors for f in REMOTE_FIELDS):
            return data
        probe = Remote(**{f: data.get(f, getattr(self.instance, f)) for f in REMOTE_FIELDS})
        try:
            remote_check(probe)
        except AppError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


@admin.register(Remote)
class RemoteAdmin(_SystemAdminOnly, _RemoteAdminBase):
    form = RemoteForm
    list_display = ["name", "label", "profile", "base_url", "is_active", "batch_size",
                    "keys_status"]
    list_filter = ["is_active", "profile"]
    search_fields = ["name", "label", "base_url"]
    readonly_fields = ["key_variables", "keys_status"]
    ordering = ["name"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="密钥环境变量")
    def key_variables(self, obj: Remote) -> str:
        try:
            return "、".join(env_name(obj.key_env, p) for p in ("HMAC", "SM4", "SM2_PRIVATE",
                                                                 "SM2_PEER_PUBLIC"))
        except AppError as exc:
            return exc.message

    @admin.display(description="密钥状态")
    def keys_status(self, obj: Remote) -> str:
        """Which key ids are set (never the keys), or what is missing."""
        try:
            return key_status(obj.key_env, profile_get(obj.profile))
        except (AppError, ProfileError) as exc:
            return exc.message

    def save_model(self, request: HttpRequest, obj: Remote, form: Any, change: bool) -> None:
        remote_save(actor=actor_for_user(request.user), remote=obj,
                    ip=client_ip_or_none(request))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate a remote instead: its deliveries refer to it


__all__ = ["OutboxRecordAdmin"]  # registered by its module, imported here to be discovered
