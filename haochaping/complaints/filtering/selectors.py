"""Reads of the word lists for the office's screen (``words_check`` first: the lists
are shown to the office only)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from haochaping.accounts.scoping import Actor
from haochaping.complaints.filtering.services import words_check
from haochaping.complaints.models import FilterWord
from haochaping.complaints.rules.reasons import CATEGORY_LABELS, Category


@dataclass(frozen=True)
class Tab:
    value: str
    label: str
    active: int
    total: int


def word_tabs(actor: Actor) -> list[Tab]:
    words_check(actor)
    tabs = []
    for category in Category:
        rows = FilterWord.objects.filter(category=category.value)
        tabs.append(Tab(category.value, CATEGORY_LABELS[category],
                        rows.filter(is_active=True).count(), rows.count()))
    return tabs


def words_of(actor: Actor, category: str) -> QuerySet[FilterWord]:
    """The words of one §5 category, active first, by reason and word."""
    words_check(actor)
    return (FilterWord.objects.filter(category=category).select_related("updated_by")
            .order_by("-is_active", "reason", "-strength", "word"))
