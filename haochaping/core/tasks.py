"""Thin task wrappers for the periodic jobs of the core app."""

from __future__ import annotations

import logging
from datetime import datetime

logger = logging.getLogger("haochaping.worker")


def calendar_coverage(now: datetime) -> str:
    """Warn loudly when this or next year lacks official holiday data (deadlines would
    silently count weekends only)."""
    from haochaping.catalog.selectors.policy import calendar_coverage_warnings

    warnings = calendar_coverage_warnings(now.date())
    for message in warnings:
        logger.warning("calendar coverage: %s", message)
    return "; ".join(warnings) or "ok"
