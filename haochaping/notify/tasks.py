"""Thin job wrappers (declared in haochaping/core/jobs.py) over the notify services."""

from __future__ import annotations

from datetime import datetime

from haochaping.notify.services import deliver_due, sweep_sms_invitations


def deliver_outbox(now: datetime) -> str:
    return deliver_due(now).summary()


def sms_invitations(now: datetime) -> str:
    return sweep_sms_invitations(now).summary()
