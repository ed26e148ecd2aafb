"""Admin for users and API clients (system administrators only; supervisors manage their
subtree through the API). Writes go through ``accounts.services`` or are audited here;
key hashes are never shown, and a new key is displayed once, in a message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from haochaping.accounts import rules, services
from haochaping.accounts.hooks import record as audit_record
from haochaping.accounts.models import ApiClient, User
from haochaping.accounts.roles import Role
from haochaping.accounts.scoping import actor_for_user

if TYPE_CHECKING:
    _ApiClientAdminBase = admin.ModelAdmin[ApiClient]
    _ApiClientFormBase = forms.ModelForm[ApiClient]
    _UserAdminBase = DjangoUserAdmin[User]
    _UserCreationFormBase = UserCreationForm[User]
    _UserChangeFormBase = UserChangeForm[User]
else:
    _ApiClientAdminBase = admin.ModelAdmin
    _ApiClientFormBase = forms.ModelForm
    _UserAdminBase = DjangoUserAdmin
    _UserCreationFormBase = UserCreationForm
    _UserChangeFormBase = UserChangeForm

AUDITED_USER_FIELDS = ("username", "first_name", "last_name", "email", "phone", "role", "org",
                       "staff", "is_active", "is_staff", "is_superuser")


def is_security_admin(request: HttpRequest) -> bool:
    """Accounts and API keys are the security administrator's (三员分立). The role
    decides, not is_superuser: services check the role (accounts.rules)."""
    user: Any = request.user
    return bool(user.is_active and user.is_staff
                and getattr(user, "role", None) == Role.SECURITY_ADMIN.value)


class SecurityAdminOnly:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_security_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_security_admin(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_security_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_security_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: audit rows and evaluations point at these


def _clean_role_org(cleaned: dict[str, Any]) -> None:
    role, org = cleaned.get("role"), cleaned.get("org")
    if role and rules.org_required(role) and org is None:
        raise forms.ValidationError({"org": "除系统、安全、审计管理员外，用户必须属于一个机构。"})


class HcpUserCreationForm(_UserCreationFormBase):
    class Meta(UserCreationForm.Meta):  # type: ignore[name-defined,misc]
        model = User
        fields = ("username", "first_name", "role", "org", "staff", "phone")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _clean_role_org(cleaned)
        return cleaned


class HcpUserChangeForm(_UserChangeFormBase):
    class Meta(UserChangeForm.Meta):  # type: ignore[name-defined,misc]
        model = User
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _clean_role_org(cleaned)
        return cleaned


@admin.register(User)
class UserAdmin(SecurityAdminOnly, _UserAdminBase):
    form = HcpUserChangeForm
    add_form = HcpUserCreationForm
    list_display = ("username", "first_name", "role", "org", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "first_name", "phone", "org__name")
    raw_id_fields = ("org", "staff")
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("first_name", "last_name", "email", "phone")}),
        ("角色与机构", {"fields": ("role", "org", "staff")}),
        ("状态", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("时间", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",),
                "fields": ("username", "first_name", "role", "org", "staff", "phone",
                           "password1", "password2")}),
    )

    def save_model(self, request: HttpRequest, obj: Any, form: forms.ModelForm[Any],
                   change: bool) -> None:
        super().save_model(request, obj, form, change)
        changed = [f for f in form.changed_data if f in AUDITED_USER_FIELDS]
        audit_record(action="accounts.user_admin_change" if change else "accounts.user_create",
                     actor=request.user, obj=obj,
                     after={"changed": changed, "role": obj.role, "org_id": obj.org_id})

    def user_change_password(self, request: HttpRequest, id: str,
                             form_url: str = "") -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            audit_record(action="accounts.user_set_password", actor=request.user,
                         object_type="accounts.user", object_id=id)
        return response


class ApiClientForm(_ApiClientFormBase):
    scopes = forms.MultipleChoiceField(label="权限范围", choices=list(rules.CLIENT_SCOPES.items()),
                                       widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiClient
        fields = ("name", "org", "scopes", "rate_limit_per_minute")


@admin.register(ApiClient)
class ApiClientAdmin(SecurityAdminOnly, _ApiClientAdminBase):
    form = ApiClientForm
    list_display = ("name", "org", "key_prefix", "is_active", "rate_limit_per_minute",
                    "rotated_at", "last_used_at")
    list_filter = ("is_active",)
    search_fields = ("name", "key_prefix", "org__name")
    raw_id_fields = ("org",)
    readonly_fields = ("key_prefix", "previous_key_prefix", "previous_valid_until", "is_active",
                       "created_at", "rotated_at", "last_used_at")
    actions = ("rotate_key", "deactivate")

    def save_model(self, request: HttpRequest, obj: ApiClient, form: forms.ModelForm[Any],
                   change: bool) -> None:
        actor = actor_for_user(request.user)
        data = form.cleaned_data
        if change:
            services.api_client_update(actor=actor, client=obj, name=data["name"],
                                       scopes=list(data["scopes"]),
                                       rate_limit_per_minute=data["rate_limit_per_minute"])
            return
        client, key = services.api_client_create(
            actor=actor, name=data["name"], org=data["org"], scopes=list(data["scopes"]),
            rate_limit_per_minute=data["rate_limit_per_minute"])
        obj.pk, obj.key_prefix = client.pk, client.key_prefix
        obj._state.adding = False
        messages.warning(request, f"“{client.name}”的密钥（仅显示这一次，请立即妥善保存）：{key}")

    @admin.action(description="轮换密钥（旧密钥继续有效24小时）")
    def rotate_key(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        actor = actor_for_user(request.user)
        for client in queryset.filter(is_active=True):
            client, key = services.api_client_rotate(actor=actor, client=client, grace_hours=24)
            messages.warning(request,
                             f"“{client.name}”的新密钥（仅显示这一次，请立即妥善保存）：{key}")

    @admin.action(description="停用所选客户端（两把密钥立即失效）")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        actor = actor_for_user(request.user)
        for client in queryset:
            services.api_client_deactivate(actor=actor, client=client)
        messages.success(request, "已停用所选接口客户端。")
