"""Thin task wrappers for the periodic jobs of the evaluations app (core.jobs)."""

from __future__ import annotations

from datetime import datetime


def default_ratings(now: datetime) -> str:
    """Seed 000 §11: unrated handlings past ``default_due_at`` get the default level."""
    from haochaping.evaluations.services import sweep_default_ratings

    return sweep_default_ratings(now)


def sms_invitations(now: datetime) -> str:
    """Seed 003 §9(三): unrated handlings past ``invite_due_at`` get an SMS invitation."""
    from haochaping.evaluations.sms.invitations import sweep_sms_invitations

    return sweep_sms_invitations(now).summary()
