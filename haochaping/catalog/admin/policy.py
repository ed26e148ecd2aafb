"""Admin for policy overrides and working-day calendar days.

Every save and delete goes through ``catalog.services.policy`` (validation by the rules,
subtree permission, audit row); the forms run the same checks first so a bad value is
shown on the form instead of failing the request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import actor_for_user, require, scope_q
from haochaping.catalog.models import CalendarOverride, PolicyOverride
from haochaping.catalog.rules import calendar
from haochaping.catalog.rules.policies import (
    PolicyError,
    display_value,
    parse_value,
    policy_fields,
    validate_override,
)
from haochaping.catalog.selectors.policy import calendar_coverage_warnings, effective_policy
from haochaping.catalog.services.policy import (
    calendar_override_clear,
    calendar_override_set,
    policy_override_clear,
    policy_override_set,
)
from haochaping.core.errors import AppError

if TYPE_CHECKING:
    _PolicyFormBase = forms.ModelForm[PolicyOverride]
    _PolicyAdminBase = admin.ModelAdmin[PolicyOverride]
    _CalendarFormBase = forms.ModelForm[CalendarOverride]
    _CalendarAdminBase = admin.ModelAdmin[CalendarOverride]
else:
    _PolicyFormBase = _CalendarFormBase = forms.ModelForm
    _PolicyAdminBase = _CalendarAdminBase = admin.ModelAdmin

FIELD_LABELS = {pf.name: pf.label for pf in policy_fields()}
VALUE_HELP = ("JSON 取值。时限：{\"amount\": 5, \"unit\": \"working_days\"}"
              "（单位 natural_days 自然日、working_days 工作日、hours 小时）；"
              "开关：true / false；评价等级：1–5 或 null；次数：0–1000 的整数；时刻：0–24 的整点；"
              "多次评价：\"one_per_service\" 或 \"latest_wins\"；"
              "可评价环节：环节代码列表，须含 \"done\"（办结），如 [\"apply\", \"amend\", \"done\"]"
              "（consult 咨询、apply 申报、amend 补正、pay 缴费、sign 签收、done 办结）。")


class PolicyOverrideForm(_PolicyFormBase):
    key = forms.ChoiceField(label="政策项",
                            choices=[(pf.name, f"{pf.label}（{pf.name}）")
                                     for pf in policy_fields()])
    value = forms.JSONField(label="取值", required=False, help_text=VALUE_HELP)
    request: HttpRequest | None = None

    class Meta:
        model = PolicyOverride
        fields = ["org", "key", "value", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        org = data.get("org", self.instance.org if self.instance.pk else None)
        key = data.get("key", self.instance.key)
        if key and "value" in data:
            try:
                data["value"] = validate_override(key, data["value"])
            except PolicyError as exc:
                self.add_error("value", exc.message)
        if self.request is not None:
            try:
                require(actor_for_user(self.request.user), access.POLICY, access.WRITE,
                        org.path if org is not None else None)
            except AppError as exc:
                self.add_error(None, exc.message)
        return data


@admin.register(PolicyOverride)
class PolicyOverrideAdmin(_PolicyAdminBase):
    form = PolicyOverrideForm
    list_display = ["org_label", "key_label", "value_label", "effective_label", "note",
                    "updated_at"]
    list_filter = ["key"]
    search_fields = ["org__name", "org__code", "key", "note"]
    list_select_related = ["org"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False,
                 **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        return type("BoundPolicyOverrideForm", (form_class,), {"request": request})

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # (org, key) identifies an override; to move one, clear it and add another.
        return ["org", "key", "effective_summary"] if obj is not None else []

    def get_queryset(self, request: HttpRequest) -> QuerySet[PolicyOverride]:
        actor = actor_for_user(request.user)
        qs = super().get_queryset(request)
        if actor.scope_path is None:
            return qs
        # Deployment-wide rows stay visible (read-only for anyone but the system admin).
        return qs.filter(Q(org__isnull=True) | scope_q(actor))

    @admin.display(description="适用机构", ordering="org__path")
    def org_label(self, obj: PolicyOverride) -> str:
        return str(obj.org) if obj.org else "全局（整个部署）"

    @admin.display(description="政策项", ordering="key")
    def key_label(self, obj: PolicyOverride) -> str:
        return FIELD_LABELS.get(obj.key, obj.key)

    @admin.display(description="覆盖取值")
    def value_label(self, obj: PolicyOverride) -> str:
        try:
            return display_value(parse_value(obj.key, obj.value))
        except PolicyError as exc:
            return f"无效：{exc.message}"

    @admin.display(description="该机构当前生效值")
    def effective_label(self, obj: PolicyOverride) -> str:
        try:
            return display_value(getattr(effective_policy(obj.org), obj.key))
        except (PolicyError, AttributeError) as exc:
            return f"无法计算：{exc}"

    @admin.display(description="该机构全部生效政策")
    def effective_summary(self, obj: PolicyOverride) -> str:
        policy = effective_policy(obj.org)
        rows = [(pf.label, display_value(getattr(policy, pf.name))) for pf in policy_fields()]
        return format_html("<table>{}</table>", format_html_join(
            "", "<tr><th>{}</th><td>{}</td></tr>", rows))

    def save_model(self, request: HttpRequest, obj: PolicyOverride, form: Any,
                   change: bool) -> None:
        row = policy_override_set(actor=actor_for_user(request.user), org=obj.org,
                                  key=obj.key, value=form.cleaned_data["value"],
                                  note=obj.note)
        obj.pk, obj.value, obj.updated_at = row.pk, row.value, row.updated_at

    def delete_model(self, request: HttpRequest, obj: PolicyOverride) -> None:
        policy_override_clear(actor=actor_for_user(request.user), org=obj.org, key=obj.key)

    def delete_queryset(self, request: HttpRequest,
                        queryset: QuerySet[PolicyOverride]) -> None:
        actor = actor_for_user(request.user)
        for row in queryset.select_related("org"):
            policy_override_clear(actor=actor, org=row.org, key=row.key)


class CalendarOverrideForm(_CalendarFormBase):
    request: HttpRequest | None = None

    class Meta:
        model = CalendarOverride
        fields = ["date", "is_workday", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.request is not None:
            try:
                require(actor_for_user(self.request.user), access.POLICY, access.WRITE, None)
            except AppError as exc:
                self.add_error(None, exc.message)
        return data


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(_CalendarAdminBase):
    form = CalendarOverrideForm
    list_display = ["date", "weekday", "is_workday", "package_label", "note"]
    list_filter = ["is_workday"]
    search_fields = ["note"]
    date_hierarchy = "date"

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False,
                 **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        return type("BoundCalendarOverrideForm", (form_class,), {"request": request})

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["date"] if obj is not None else []

    def changelist_view(self, request: HttpRequest,
                        extra_context: dict[str, Any] | None = None) -> HttpResponse:
        for warning in calendar_coverage_warnings(timezone.localdate()):
            self.message_user(request, warning, level=messages.WARNING)
        return super().changelist_view(request, extra_context)

    @admin.display(description="星期")
    def weekday(self, obj: CalendarOverride) -> str:
        return "一二三四五六日"[obj.date.weekday()]

    @admin.display(description="软件包中")
    def package_label(self, obj: CalendarOverride) -> str:
        if obj.date.year not in calendar.covered_years():
            return "未覆盖（按周末计算）"
        return "工作日" if calendar.is_workday(obj.date) else "休息日"

    def save_model(self, request: HttpRequest, obj: CalendarOverride, form: Any,
                   change: bool) -> None:
        row = calendar_override_set(actor=actor_for_user(request.user), day=obj.date,
                                    is_workday=obj.is_workday, note=obj.note)
        obj.pk = row.pk

    def delete_model(self, request: HttpRequest, obj: CalendarOverride) -> None:
        calendar_override_clear(actor=actor_for_user(request.user), day=obj.date)

    def delete_queryset(self, request: HttpRequest,
                        queryset: QuerySet[CalendarOverride]) -> None:
        actor = actor_for_user(request.user)
        for row in queryset:
            calendar_override_clear(actor=actor, day=row.date)
