"""Template tags of the catalog: the calendar coverage warning on the admin index."""

from __future__ import annotations

from django import template
from django.utils import timezone

from haochaping.catalog.selectors.policy import calendar_coverage_warnings

register = template.Library()


@register.simple_tag
def calendar_warnings() -> list[str]:
    """Chinese warnings for the current and next year lacking holiday data."""
    return calendar_coverage_warnings(timezone.localdate())
