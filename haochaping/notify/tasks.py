"""Thin job wrappers (declared in haochaping/core/jobs.py) over the notify services."""

from __future__ import annotations

from datetime import datetime

from haochaping.notify.services import deliver_due


def deliver_outbox(now: datetime) -> str:
    return deliver_due(now).summary()
