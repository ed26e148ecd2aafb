"""Privacy-number relays behind one abstract class; ``get_telephony()`` picks the
configured one (``HCP_TELEPHONY_BACKEND``: fake | console | off). A carrier's HTTP adapter
implements ``TelephonyBackend`` the same way (docs/notify.md)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from haochaping.notify.telephony.base import (
    OUTCOMES,
    BindRequest,
    BindResult,
    CallRecord,
    TelephonyBackend,
)
from haochaping.notify.telephony.fake import ConsoleTelephony, FakeTelephony, NoTelephony

__all__ = ["OUTCOMES", "BindRequest", "BindResult", "CallRecord", "ConsoleTelephony",
           "FakeTelephony", "NoTelephony", "TelephonyBackend", "get_telephony"]

BACKENDS: dict[str, type[TelephonyBackend]] = {"fake": FakeTelephony,
                                                "console": ConsoleTelephony,
                                                "off": NoTelephony}


def get_telephony() -> TelephonyBackend:
    name = settings.HCP_TELEPHONY_BACKEND
    try:
        return BACKENDS[name]()
    except KeyError:
        raise ImproperlyConfigured(
            f"HCP_TELEPHONY_BACKEND must be one of {', '.join(BACKENDS)}, got {name!r}"
        ) from None
