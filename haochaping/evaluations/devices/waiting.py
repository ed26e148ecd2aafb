"""The wait token that lets a third-party device long-poll ``haochaping padwait``.

A signed ``GET /api/v1/devices/pending`` answers the token with the window's version; the
device then holds ``GET <HCP_PAD_WAIT_URL>?v=<version>`` with the token in
``X-HCP-Wait-Token`` (padwait answers as for the pad page's cookie). The token is
Django-signed (``SECRET_KEY``, its own salt), names the device, its window and its key,
and expires after :data:`WAIT_TOKEN_SECONDS`: padwait checks it without the database, and
it reveals only when the window's work changed, never a handling.
"""

from __future__ import annotations

from django.core import signing

from haochaping.evaluations.public import PadClaim

WAIT_HEADER = "X-HCP-Wait-Token"
WAIT_SALT = "hcp.device.wait"
WAIT_TOKEN_SECONDS = 900


def wait_token(*, device_id: int, window_id: int, kind: str, key_hash: str) -> str:
    claim = PadClaim(device_id, window_id, kind, key_hash[:16])
    return signing.TimestampSigner(salt=WAIT_SALT).sign(claim.dumps())


def wait_claim(token: str | None) -> PadClaim | None:
    """The claim of a valid, unexpired wait token; None otherwise."""
    if not token:
        return None
    try:
        value = signing.TimestampSigner(salt=WAIT_SALT).unsign(token.strip(),
                                                                max_age=WAIT_TOKEN_SECONDS)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    return PadClaim.loads(value)
