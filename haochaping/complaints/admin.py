"""Admin for 诉求件 (read-only) and the filter's word lists (editable, audited).

Submissions and their timeline are written by the complaints services only, so the admin
shows them read-only, to the office roles (``complaint:write``, staff logins), inside the
user's subtree (``office_path``), never an item about the user's own staff row (seed 004
§10), with the submitter masked. Filter words are kept by the same office: an add or a
change goes through ``filtering.services`` (checked and audited); nothing is deleted
(disable instead).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from haochaping.accounts import rules as access
from haochaping.accounts.readonly_admin import ReadOnlyAdminMixin
from haochaping.accounts.scoping import actor_for_user, scope
from haochaping.complaints.filtering.services import (
    filter_word_add,
    filter_word_update,
    word_clean,
)
from haochaping.complaints.models import FilterWord, Submission, SubmissionEvent
from haochaping.core.errors import AppError

if TYPE_CHECKING:
    _SubmissionAdminBase = admin.ModelAdmin[Submission]
    _FilterWordAdminBase = admin.ModelAdmin[FilterWord]
    _InlineBase = admin.TabularInline[SubmissionEvent, Submission]
    _FilterWordFormBase = forms.ModelForm[FilterWord]
else:  # not subscriptable at run time
    _SubmissionAdminBase = _FilterWordAdminBase = admin.ModelAdmin
    _InlineBase = admin.TabularInline
    _FilterWordFormBase = forms.ModelForm

OFFICE_ROLES = frozenset(r.value for r in access.roles_allowed(access.COMPLAINT, access.WRITE))


class ForOffice(ReadOnlyAdminMixin):
    view_roles = OFFICE_ROLES
    staff_only = True


class EventInline(ForOffice, _InlineBase):
    model = SubmissionEvent
    fields = readonly_fields = ("at", "action", "from_status", "to_status", "actor_label",
                                "public_note", "note")
    extra = 0
    can_delete = False
    verbose_name = "诉求件记录"
    verbose_name_plural = "办理记录"


@admin.register(Submission)
class SubmissionAdmin(ForOffice, _SubmissionAdminBase):
    list_display = ("ref", "kind", "channel", "status", "reason", "org", "received_at")
    list_filter = ("kind", "channel", "status", "reason")
    search_fields = ("ref",)
    date_hierarchy = "received_at"
    ordering = ("-received_at",)
    list_select_related = ("org",)
    # The submitter only masked; the phone's blind index is left out.
    fields = readonly_fields = (
        "ref", "kind", "channel", "urgency", "status", "matter", "org", "window", "staff",
        "hall", "region", "subject_text", "content", "office", "submitter_masked",
        "reply_channel", "reason", "decision_note", "decided_at", "screening", "order",
        "merged_into", "received_at", "dispatched_at", "first_touch_at", "answered_at",
        "closed_at", "resolved", "answer_level", "updated_at")
    inlines = (EventInline,)

    @admin.display(description="诉求人")
    def submitter_masked(self, obj: Submission) -> str:
        return obj.submitter.name_masked if obj.submitter_id and obj.submitter else "—"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Submission]:
        qs = super().get_queryset(request).select_related("submitter", "org")
        user: Any = request.user
        qs = scope(qs, actor_for_user(user), "office_path")
        staff_id = getattr(user, "staff_id", None)
        return qs.exclude(staff_id=staff_id) if staff_id else qs


class FilterWordForm(_FilterWordFormBase):
    class Meta:
        model = FilterWord
        fields = ("reason", "word", "strength", "is_active", "note")

    def clean_word(self) -> str:
        try:
            return word_clean(self.cleaned_data.get("word", ""))
        except AppError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None


@admin.register(FilterWord)
class FilterWordAdmin(_FilterWordAdminBase):
    form = FilterWordForm
    list_display = ("word", "reason", "strength", "is_active", "updated_at", "updated_by")
    list_filter = ("category", "reason", "strength", "is_active")
    search_fields = ("word",)
    ordering = ("category", "reason", "word")

    def _office(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.is_active and user.is_staff
                    and getattr(user, "role", None) in OFFICE_ROLES)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._office(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._office(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._office(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._office(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # disable instead: the audit trail and past verdicts name the word

    def get_readonly_fields(self, request: HttpRequest, obj: FilterWord | None = None) -> Any:
        return ("reason", "word") if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: FilterWord, form: Any,
                   change: bool) -> None:
        actor = actor_for_user(request.user)
        if change:
            filter_word_update(actor=actor, word_id=obj.pk, strength=obj.strength,
                               is_active=obj.is_active, note=obj.note)
            return
        row = filter_word_add(actor=actor, reason=obj.reason, word=obj.word,
                              strength=obj.strength, note=obj.note)
        if not obj.is_active:
            row = filter_word_update(actor=actor, word_id=row.pk, is_active=False)
        obj.pk, obj.category, obj.updated_at = row.pk, row.category, row.updated_at
