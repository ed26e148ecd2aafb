"""Staff sign-in policy (issue 17, 等保 level 3 identification and authentication). Pure:
who needs a second factor, when a session or a password is too old, when an account is
dormant, and how a password's history is kept. No ORM; the values come from settings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class AuthPolicy:
    otp_roles: frozenset[str]  # roles that must use a second factor (TOTP)
    session_absolute_seconds: int  # a session ends this long after sign-in, active or not
    password_history: int  # a new password may not equal any of the last N
    password_max_age_days: int  # 0 = passwords never expire
    dormant_days: int  # 0 = accounts are never disabled for disuse


def needs_otp(policy: AuthPolicy, role: str, *, has_device: bool) -> bool:
    """A role the policy names must use TOTP; anyone who enrolled a device uses it too
    (optional for the others)."""
    return has_device or role in policy.otp_roles


def session_expired(policy: AuthPolicy, signed_in_at: datetime | None, now: datetime) -> bool:
    """A session without a sign-in time (made before this rule) counts as expired."""
    if policy.session_absolute_seconds <= 0:
        return False
    if signed_in_at is None:
        return True
    return now - signed_in_at >= timedelta(seconds=policy.session_absolute_seconds)


def password_expired(policy: AuthPolicy, changed_at: datetime | None, now: datetime) -> bool:
    if policy.password_max_age_days <= 0 or changed_at is None:
        return False
    return now - changed_at >= timedelta(days=policy.password_max_age_days)


def dormant_since(policy: AuthPolicy, now: datetime) -> datetime | None:
    """Accounts whose last sign-in (or creation, if never) is before this are dormant."""
    if policy.dormant_days <= 0:
        return None
    return now - timedelta(days=policy.dormant_days)


def history_to_keep(policy: AuthPolicy, hashes: Iterable[str]) -> list[str]:
    """The newest ``password_history`` hashes (newest first in, newest first out)."""
    return list(hashes)[: max(policy.password_history, 0)]
