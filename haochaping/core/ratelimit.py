"""The one rate limiter: fixed-window counters in the Django cache (STYLE.md §15).

Every limit in the project counts through :func:`over_limit`: an API client's per-minute
limit (``accounts.auth``), the rating endpoints' buckets per rater, IP, user and device
(``evaluations.throttle``), SMS-code sends per IP (``evaluations.public``), SMS replies
per phone (``notify.services.inbound``) and requests per second to each remote platform
(``exchange.sending``). The caller names what it counts in ``key`` (ids
or blind indexes, never personal data) and decides what to answer over the limit.

With the locmem cache each worker process counts alone; configure ``REDIS_URL`` for a
count shared by every process.
"""

from __future__ import annotations

import time

from django.core.cache import cache

PREFIX = "hcp:rl"

# The limiter's clock; tests pin it (conftest.py ``_pinned_rate_window``) so that a count
# never straddles a window boundary.
clock = time.time


def window_of(epoch_seconds: float, window: int) -> int:
    """The fixed window of ``window`` seconds that a moment falls in."""
    return int(epoch_seconds // window)


def hit(key: str, window: int, *, now: float | None = None) -> int:
    """Count one event for ``key`` in its current window; the count so far."""
    moment = clock() if now is None else now
    counter = f"{PREFIX}:{key}:{window}:{window_of(moment, window)}"
    cache.add(counter, 0, timeout=window * 2)
    try:
        return int(cache.incr(counter))
    except ValueError:  # the counter expired between add and incr
        cache.add(counter, 1, timeout=window * 2)
        return 1


def over_limit(key: str, limit: int, window: int, *, now: float | None = None) -> bool:
    """Count one event for ``key``; True once more than ``limit`` fell in the window."""
    return hit(key, window, now=now) > limit
