"""Seed the acceptance filter's default word lists (rules.wordlists.DEFAULT_WORDS) into
FilterWord; the office keeps them from then on (/work/complaints/words/). Reversing
removes the seeded rows nobody has changed since (updated_by empty)."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.utils import timezone


def seed(apps: Any, schema_editor: Any) -> None:
    from haochaping.complaints.rules.reasons import REASONS
    from haochaping.complaints.rules.wordlists import DEFAULT_WORDS

    FilterWord = apps.get_model("complaints", "FilterWord")
    now = timezone.now()
    have = set(FilterWord.objects.values_list("reason", "word"))
    FilterWord.objects.bulk_create([
        FilterWord(category=REASONS[reason].category.value, reason=reason, word=word,
                   strength=strength, is_active=True, note="默认词表", updated_at=now)
        for reason, word, strength in DEFAULT_WORDS if (reason, word) not in have])


def unseed(apps: Any, schema_editor: Any) -> None:
    from haochaping.complaints.rules.wordlists import DEFAULT_WORDS

    FilterWord = apps.get_model("complaints", "FilterWord")
    for reason, word, _ in DEFAULT_WORDS:
        FilterWord.objects.filter(reason=reason, word=word, updated_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
