"""Writes of the acceptance filter's word lists (``FilterWord``, seed 004 §5): the office
adds a word, disables or enables one. Keyword-only, atomic, audited; only roles with
``complaint:write`` (the supervising office) may change the lists, which hold for the
whole deployment. Bad input raises ``ValidationError`` before anything is written."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor
from haochaping.audit.services import audit_record
from haochaping.complaints.models import FilterWord
from haochaping.complaints.rules.filter import Strength, meaningful, normalize
from haochaping.complaints.rules.reasons import REASONS
from haochaping.core.errors import NotFound, PermissionDenied, ValidationError
from haochaping.core.text import clean_text

MIN_WORD = 2  # one character matches far too much Chinese text
MAX_WORD = 50  # FilterWord.word
MAX_NOTE = 200


def words_check(actor: Actor) -> None:
    """Raise unless ``actor`` may keep the word lists (read and write alike: the lists
    show what the office is looking for)."""
    if not actor.allows(access.COMPLAINT, access.WRITE):
        raise PermissionDenied("forbidden.role", "只有政务服务管理机构可以维护过滤词表")


def word_clean(raw: str) -> str:
    """The word as stored, or ``ValidationError`` (also the admin form's check)."""
    word = clean_text(raw or "").strip()
    if not word:
        raise ValidationError("filter.word_required", "请填写过滤词", "word")
    if any(ch.isspace() for ch in word):
        raise ValidationError("filter.word_space", "过滤词中不能有空格", "word")
    if len(word) > MAX_WORD:
        raise ValidationError("filter.word_too_long", f"过滤词不能超过 {MAX_WORD} 个字",
                              "word")
    if len(meaningful(normalize(word))) < MIN_WORD:
        raise ValidationError("filter.word_too_short",
                              f"过滤词至少要有 {MIN_WORD} 个汉字、字母或数字", "word")
    return word


def filter_word_add(*, actor: Actor, reason: str, word: str, strength: str,
                    note: str = "", now: datetime | None = None) -> FilterWord:
    """Add ``word`` to the list of ``reason`` (``hit``: refuse, ``cue``: triage). A word
    the office disabled before is enabled again with the new strength and note."""
    words_check(actor)
    if reason not in REASONS:
        raise ValidationError("filter.invalid_reason", "请选择不予受理的原因", "reason")
    strength_ = _strength(strength)
    word = word_clean(word)
    note = _note(note)
    now = now or timezone.now()
    with transaction.atomic():
        row = FilterWord.objects.select_for_update().filter(reason=reason, word=word).first()
        before = None
        if row is not None:
            if row.is_active:
                raise ValidationError("filter.word_exists",
                                      f"“{word}”已在“{REASONS[reason].label}”词表中", "word")
            before = {"strength": row.strength, "is_active": False, "note": row.note}
            row.strength, row.is_active, row.note = strength_.value, True, note
            row.updated_by, row.updated_at = actor.user, now
            row.save(update_fields=["strength", "is_active", "note", "updated_by",
                                    "updated_at"])
        else:
            row = FilterWord.objects.create(
                category=REASONS[reason].category.value, reason=reason, word=word,
                strength=strength_.value, is_active=True, note=note, updated_by=actor.user,
                updated_at=now)
        audit_record(action="complaint.filter_word_add", actor=actor.user,
                     actor_label=actor.label, obj=row, before=before,
                     after={"reason": reason, "word": word, "strength": strength_.value,
                            "is_active": True})
    return row


def _strength(raw: str) -> Strength:
    try:
        return Strength(raw)
    except ValueError:
        raise ValidationError("filter.invalid_strength",
                              "请选择处理方式（直接不予受理或转人工分拣）", "strength") from None


def _note(raw: str) -> str:
    note = clean_text(raw or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError("filter.note_too_long", f"说明不能超过 {MAX_NOTE} 个字", "note")
    return note


def filter_word_update(*, actor: Actor, word_id: int, strength: str | None = None,
                       is_active: bool | None = None, note: str | None = None,
                       now: datetime | None = None) -> FilterWord:
    """Change how one word acts, whether it is on, or its note (None: unchanged). Rows
    are never deleted, so the audit trail and past verdicts keep their meaning."""
    words_check(actor)
    changes: dict[str, object] = {}
    if strength is not None:
        changes["strength"] = _strength(strength).value
    if note is not None:
        changes["note"] = _note(note)
    if is_active is not None:
        changes["is_active"] = is_active
    now = now or timezone.now()
    with transaction.atomic():
        row = FilterWord.objects.select_for_update().filter(pk=word_id).first()
        if row is None:
            raise NotFound("filter.word_not_found", "过滤词不存在")
        before = {k: getattr(row, k) for k in changes if getattr(row, k) != changes[k]}
        if not before:
            return row
        for name in before:
            setattr(row, name, changes[name])
        row.updated_by, row.updated_at = actor.user, now
        row.save(update_fields=[*before, "updated_by", "updated_at"])
        action = "change"
        if set(before) == {"is_active"}:
            action = "enable" if row.is_active else "disable"
        audit_record(action=f"complaint.filter_word_{action}", actor=actor.user,
                     actor_label=actor.label, obj=row, before=before,
                     after={"reason": row.reason, "word": row.word,
                            **{k: changes[k] for k in before}})
    return row


def filter_word_set_active(*, actor: Actor, word_id: int, active: bool,
                           now: datetime | None = None) -> FilterWord:
    """Disable (or enable again) one word."""
    return filter_word_update(actor=actor, word_id=word_id, is_active=active, now=now)
