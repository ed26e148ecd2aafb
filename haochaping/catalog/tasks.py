"""Tasks of the catalog app."""

from __future__ import annotations

import logging
from datetime import datetime

from haochaping.catalog.selectors.policy import calendar_coverage_warnings
from haochaping.core.engine import rules, task

logger = logging.getLogger("haochaping.worker")


@task(queue=rules.REPORTS, lock="catalog.calendar_coverage")
def calendar_coverage(now: str) -> str:
    """Warn loudly when this or next year lacks official holiday data (deadlines would
    silently count weekends only)."""
    warnings = calendar_coverage_warnings(datetime.fromisoformat(now).date())
    for message in warnings:
        logger.warning("calendar coverage: %s", message)
    return "; ".join(warnings) or "ok"
