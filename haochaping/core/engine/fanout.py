"""Splitting a sweep into chunk tasks that any number of workers run in parallel.

The sweep task reads the ids of the due rows (one indexed query) and enqueues one chunk
task per ``size`` of them, each over a half-open id range. A chunk still claims each row
by a conditional update, so overlapping chunks (from two periods) never do a row twice.
"""

from __future__ import annotations

from typing import Any

from django_tasks.base import Task

from haochaping.core.engine.registry import enqueue

MAX_IDS = 200_000  # the rest waits for the next period


def fan_out(chunk: Task[Any, Any], now: str, ids: list[int], *, size: int,
            key: str) -> int:
    """Enqueue ``chunk(now, low, high)`` over the sorted ``ids``; returns how many."""
    ids = sorted(ids)
    queued = 0
    for start in range(0, len(ids), size):
        low, high = ids[start], ids[min(start + size, len(ids)) - 1] + 1
        if enqueue(chunk, now, low, high, key=f"{key}:{low}") is not None:
            queued += 1
    return queued
