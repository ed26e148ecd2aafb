"""Reads of the evaluation standards.

Standards are public reference data (the rating page shows them to anonymous raters), so
these selectors take no actor: there is nothing to scope.
"""

from __future__ import annotations

from django.db.models import QuerySet

from haochaping.catalog.models import ContentItem, StandardVersion
from haochaping.catalog.rules.standards import Level
from haochaping.core.errors import NotFound
from haochaping.core.memo import Memo

# The active version, kept per process (core.memo); cleared in this process when a
# version is saved (catalog.signals).
active_versions: Memo[StandardVersion | None] = Memo("active_standard")


def active_standard() -> StandardVersion:
    """The version new ratings use (exactly one; constraint ``one_active_standard``)."""
    version = active_versions.get_or_load(
        "active", lambda: StandardVersion.objects.filter(is_active=True).first())
    if version is None:
        raise NotFound("standard.none_active", "尚未启用评价标准")
    return version


def content_items_for(version: StandardVersion, level: Level | int) -> QuerySet[ContentItem]:
    """Items of one level in display order; the first ``shown_by_default`` ones up front."""
    return ContentItem.objects.filter(version=version, level=int(Level(level))).order_by(
        "sort", "code")


def content_item_table(version: StandardVersion) -> list[tuple[str, int]]:
    """``(code, level)`` pairs of a version, the plain data
    :func:`haochaping.catalog.rules.standards.validate_content_codes` checks against."""
    return list(ContentItem.objects.filter(version=version).values_list("code", "level"))
