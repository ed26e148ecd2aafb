"""Pure intake rules for handlings: payload normalisation, stages, status machine,
deadlines, applicant checks (no ORM; mypy strict)."""

from __future__ import annotations

from haochaping.core.errors import ItemError
from haochaping.handlings.rules.deadlines import (
    NO_DEADLINES,
    DeadlineCalculator,
    Deadlines,
    override_years,
)
from haochaping.handlings.rules.payload import FIELDS, HandlingInput, normalise, parse_time
from haochaping.handlings.rules.stages import StageInput, parse_stage, parse_stages
from haochaping.handlings.rules.status import (
    COMPLETED,
    FINAL,
    TRANSITIONS,
    WITHDRAWN,
    left_bucket,
    transition_allowed,
    transition_message,
)
from haochaping.vault.applicant import Applicant, check_applicant

__all__ = [
    "COMPLETED", "FIELDS", "FINAL", "NO_DEADLINES", "TRANSITIONS", "WITHDRAWN", "Applicant",
    "DeadlineCalculator", "Deadlines", "HandlingInput", "ItemError", "StageInput",
    "check_applicant", "left_bucket", "normalise", "override_years", "parse_stage",
    "parse_stages", "parse_time", "transition_allowed", "transition_message",
]
