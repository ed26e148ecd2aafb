"""Fixed-window request counters in the Django cache for the rating endpoints.

Counted per rater, per IP, per user or per evaluator device: a bucket names what is
counted. An API client's own per-minute limit (set per client, ``accounts.auth``) counts
its requests. With the locmem cache each worker process counts alone; configure REDIS_URL
for a shared count.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from haochaping.core.errors import RateLimited

# (limit, window seconds) per bucket; override with HCP_RATE_LIMITS = {"rater": (10, 600)}.
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "rater": (10, 600),  # one person rating: a handful per ten minutes
    "ip": (60, 60),
    "user": (120, 60),  # an office user entering phone-invitation ratings
    "device": (10, 60),  # an evaluator pad or kiosk: one rater at a time at its window
}


def limits(bucket: str) -> tuple[int, int]:
    configured: dict[str, tuple[int, int]] = getattr(settings, "HCP_RATE_LIMITS", {})
    return configured.get(bucket, DEFAULT_LIMITS[bucket])


def throttle(bucket: str, ident: str | int) -> None:
    """Count one request of ``ident`` in ``bucket``; raise 429 ``rate_limited`` over the
    bucket's limit. The counter key carries no personal data (pass ids or indexes)."""
    limit, window = limits(bucket)
    key = f"hcp:throttle:{bucket}:{ident}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window * 2)
        count = 1
    if count > limit:
        raise RateLimited("rate_limited", "评价请求过于频繁，请稍后再试")
