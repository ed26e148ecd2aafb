"""过滤词表: the office's screen of the acceptance filter's word lists (seed 004 §5),
mounted at /work/complaints/words/. List by §5 category, add a word, disable or enable
one, and try a text against the current lists. Thin: the selectors read, the services
write and audit; a refusal shows its Chinese message and stable code, nothing written."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from haochaping.accounts.scoping import Actor, actor_for_user
from haochaping.complaints.filtering import selectors
from haochaping.complaints.filtering.services import (
    filter_word_add,
    filter_word_set_active,
    words_check,
)
from haochaping.complaints.rules.filter import Decision, assess
from haochaping.complaints.rules.reasons import REASONS, Category
from haochaping.complaints.services.screening import office_words
from haochaping.core.errors import AppError, ValidationError
from haochaping.core.htmx import htmx
from haochaping.core.text import clean_text

MAX_TRY = 4000  # the intake's longest content
DECISION_LABELS = {Decision.ACCEPT: "受理", Decision.REFUSE: "不予受理",
                   Decision.TRIAGE: "转人工分拣", Decision.MERGE: "并入本人在办件"}


def _category(raw: str | None) -> str:
    values = [c.value for c in Category]
    return raw if raw in values else values[0]


def _context(actor: Actor, category: str, **extra: Any) -> dict[str, Any]:
    return {"tabs": selectors.word_tabs(actor), "category": category,
            "rows": selectors.words_of(actor, category),
            "reasons": [r for r in REASONS.values() if r.category.value == category],
            **extra}


def _page(request: HttpRequest, actor: Actor, category: str, status: int = 200,
          **extra: Any) -> HttpResponse:
    context = _context(actor, category, **extra)
    name = ("complaints/filtering/partials/panel.html" if htmx(request)
            else "complaints/filtering/page.html")
    return render(request, name, context, status=status)


def _refused(request: HttpRequest, exc: AppError) -> HttpResponse:
    name = ("complaints/filtering/partials/error.html" if htmx(request)
            else "complaints/filtering/error.html")
    return render(request, name, {"error": exc}, status=exc.status)


@login_required
@require_GET
def words_page(request: HttpRequest) -> HttpResponse:
    try:
        actor = actor_for_user(request.user)
        words_check(actor)
    except AppError as exc:
        return _refused(request, exc)
    return _page(request, actor, _category(request.GET.get("category")))


@login_required
@require_POST
def word_add(request: HttpRequest) -> HttpResponse:
    actor = actor_for_user(request.user)
    category = _category(request.POST.get("category"))
    try:
        row = filter_word_add(actor=actor, reason=request.POST.get("reason", ""),
                              word=request.POST.get("word", ""),
                              strength=request.POST.get("strength", ""),
                              note=request.POST.get("note", ""))
    except AppError as exc:
        if exc.status == 403:
            return _refused(request, exc)
        return _page(request, actor, category, status=exc.status, error=exc)
    return _page(request, actor, row.category, done=f"已添加过滤词“{row.word}”")


@login_required
@require_POST
def word_active(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_user(request.user)
    active = request.POST.get("active") == "1"
    try:
        row = filter_word_set_active(actor=actor, word_id=pk, active=active)
    except AppError as exc:
        if exc.status == 403:
            return _refused(request, exc)
        return _page(request, actor, _category(request.POST.get("category")),
                     status=exc.status, error=exc)
    done = f"已{'启用' if active else '停用'}过滤词“{row.word}”"
    return _page(request, actor, row.category, done=done)


@login_required
@require_POST
def word_try(request: HttpRequest) -> HttpResponse:
    """Run the filter on a pasted text with the current lists (nothing is stored)."""
    try:
        actor = actor_for_user(request.user)
        words_check(actor)
        text = clean_text(request.POST.get("text", "")).strip()
        if not text:
            raise ValidationError("filter.try_text_required", "请输入要检验的诉求内容", "text")
        if len(text) > MAX_TRY:
            raise ValidationError("filter.try_text_too_long",
                                  f"诉求内容不能超过 {MAX_TRY} 个字", "text")
    except AppError as exc:
        return _refused(request, exc)
    verdict = assess(text, words=office_words())
    reason = REASONS.get(verdict.reason)
    return render(request, "complaints/filtering/partials/verdict.html",
                  {"verdict": verdict, "label": DECISION_LABELS[verdict.decision],
                   "reason": reason, "text": text})
