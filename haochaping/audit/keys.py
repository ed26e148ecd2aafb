"""The audit keys from the environment (``HCP_AUDIT_KEYS``), parsed once per value."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from haochaping.audit.rules import AuditKeys, parse_audit_keys


@lru_cache(maxsize=4)
def _parsed(spec: str) -> AuditKeys:
    try:
        return parse_audit_keys(spec)
    except ValueError as exc:
        raise ImproperlyConfigured(f"HCP_AUDIT_KEYS: {exc}") from exc


def audit_keys() -> AuditKeys:
    """The configured keys; ImproperlyConfigured when there is none or one is malformed
    (so nothing is ever appended unkeyed)."""
    return _parsed(str(settings.HCP_AUDIT_KEYS))
