"""The exchange's errors: a stable ``code``, a Chinese ``message``, the ``field`` at fault.

All are :class:`~haochaping.core.errors.RuleViolation` (pure, no HTTP status), so a service
maps them to the API envelope the usual way. Codes are part of the interface between the
exchange's parts and of what a remote sees in a refusal: never rename one.
"""

from __future__ import annotations

from haochaping.core.errors import RuleViolation

# Refusals of an inbound message that are about who sent it (HTTP 401 on the inbound API);
# every other codec code is about what was sent (HTTP 400).
AUTH_CODES = frozenset({
    "exchange.unsigned", "exchange.unknown_key", "exchange.bad_signature", "exchange.stale",
})


class ExchangeError(RuleViolation):
    """Base of the exchange's errors."""


class ProfileError(ExchangeError):
    """A profile document that does not parse. ``path`` names the bad key, dotted from the
    document's root (``kinds.rating.fields.channel``)."""

    def __init__(self, code: str, message: str, path: str = "") -> None:
        super().__init__(code, message, field=path or None)
        self.path = path


class MappingError(ExchangeError):
    """A record that a profile cannot carry, or a remote item that does not map back.
    ``field`` is the remote field name (inbound) or the canonical path (outbound)."""


class CodecError(ExchangeError):
    """A message the codec refuses (inbound) or an answer it cannot read (outbound)."""

    @property
    def status(self) -> int:
        """The HTTP status the inbound API answers with."""
        return 401 if self.code in AUTH_CODES else 400


class KeyConfigError(ExchangeError):
    """Key material that is missing or malformed (the environment of a remote)."""
