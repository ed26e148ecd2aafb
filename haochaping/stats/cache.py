"""Answers derived from the rollups, cached until the rollups change.

A dashboard or a ranking is a pure function of the rollup rows, and those change only
when the worker's rollup job or a rebuild writes them. The cache key therefore carries
the rollups' *generation* (the job's last run and the newest coarse rollup row ids): the
first request after a change computes afresh, every later one until the next change is
served from the Django cache (per process with locmem, shared with Redis). Live figures
that do not come from the rollups (overdue work orders) are never cached.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from django.core.cache import cache
from django.db.models import Max

from haochaping.stats.models import OrgDayRollup, OrgMonthRollup, RollupState

T = TypeVar("T")
TIMEOUT = 600  # seconds; a new generation makes older entries unreachable anyway


def generation() -> str:
    """Changes whenever any rollup is written (two index look-ups and one row)."""
    state = RollupState.objects.filter(name="main").values_list("last_run_at", flat=True)
    newest = (OrgDayRollup.objects.aggregate(m=Max("id"))["m"],
              OrgMonthRollup.objects.aggregate(m=Max("id"))["m"])
    return f"{state.first()}|{newest}"


def last_updated() -> datetime | None:
    """When the roll-ups behind every figure were last brought up to date (the screens
    show it: 数据更新于)."""
    return (RollupState.objects.filter(name="main")
            .values_list("last_run_at", flat=True).first())


def cached(kind: str, parts: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()`` for this rollup generation, from the cache when already known."""
    raw = repr((kind, generation(), parts)).encode()
    key = f"hcp:stats:{kind}:{hashlib.sha256(raw).hexdigest()}"
    found = cache.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    value = compute()
    cache.set(key, value, TIMEOUT)
    return value
