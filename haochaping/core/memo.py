"""Per-process memos for hot read paths (API clients, the active standard, policies).

Every rating reads the same handful of configuration rows; reading them from the database
on each request costs more than the rating itself. A memo keeps them in the worker
process for at most ``settings.HCP_LOCAL_CACHE_SECONDS`` (default 5 s; 0 turns memos
off). A change made through the platform clears the memo of the process that made it at
once (model signals); other worker processes see it when their entry expires, so every
change is in force everywhere within that many seconds (docs/configuration.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.conf import settings

V = TypeVar("V")

_registry: list[Memo[object]] = []


class Memo(Generic[V]):
    """A dict of values with a deadline each; ``get_or_load`` calls ``load`` on a miss."""

    def __init__(self, name: str, max_entries: int = 10_000) -> None:
        self.name = name
        self.max_entries = max_entries
        self._entries: dict[Hashable, tuple[float, V]] = {}
        _registry.append(self)  # type: ignore[arg-type]

    def get_or_load(self, key: Hashable, load: Callable[[], V]) -> V:
        ttl = float(getattr(settings, "HCP_LOCAL_CACHE_SECONDS", 5))
        now = time.monotonic()
        found = self._entries.get(key)
        if found is not None and found[0] > now:
            return found[1]
        value = load()
        if ttl > 0:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (now + ttl, value)
        return value

    def forget(self, key: Hashable) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()


def clear_named(*names: str) -> None:
    """Empty the memos of these names (an app clearing another app's memo by name)."""
    for memo in _registry:
        if memo.name in names:
            memo.clear()


def clear_all() -> None:
    """Empty every memo of this process (tests; a change that touches many entries)."""
    for memo in _registry:
        memo.clear()
