from __future__ import annotations

from haochaping.catalog.models.matter import Matter
from haochaping.catalog.models.org import Hall, Org, Region, Staff, Window
from haochaping.catalog.models.policy import CalendarOverride, PolicyOverride
from haochaping.catalog.models.standard import BadReason, ContentItem, Indicator, StandardVersion

__all__ = [
    "BadReason",
    "CalendarOverride",
    "ContentItem",
    "Hall",
    "Indicator",
    "Matter",
    "Org",
    "PolicyOverride",
    "Region",
    "StandardVersion",
    "Staff",
    "Window",
]
