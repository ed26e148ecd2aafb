"""The rating endpoints' limits, counted by the one rate limiter (``core.ratelimit``).

Counted per rater, per IP, per user or per evaluator device: a bucket names what is
counted. An API client's own per-minute limit (set per client, ``accounts.auth``) counts
its requests through the same limiter.
"""

from __future__ import annotations

from django.conf import settings

from haochaping.core import ratelimit
from haochaping.core.errors import RateLimited

# (limit, window seconds) per bucket; override with HCP_RATE_LIMITS = {"rater": (10, 600)}.
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "rater": (10, 600),  # one person rating: a handful per ten minutes
    "ip": (60, 60),
    "user": (120, 60),  # an office user entering phone-invitation ratings
    "device": (10, 60),  # an evaluator pad or kiosk: one rater at a time at its window
    # a device-interface device's other calls (heartbeat, pending, standard): a poll every
    # second or two, docs/devices.md
    "device_api": (120, 60),
}


def limits(bucket: str) -> tuple[int, int]:
    configured: dict[str, tuple[int, int]] = getattr(settings, "HCP_RATE_LIMITS", {})
    return configured.get(bucket, DEFAULT_LIMITS[bucket])


def throttle(bucket: str, ident: str | int) -> None:
    """Count one request of ``ident`` in ``bucket``; raise 429 ``rate_limited`` over the
    bucket's limit. The counter key carries no personal data (pass ids or indexes)."""
    limit, window = limits(bucket)
    if ratelimit.over_limit(f"rating:{bucket}:{ident}", limit, window):
        raise RateLimited("rate_limited", "评价请求过于频繁，请稍后再试")
