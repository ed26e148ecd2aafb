"""Roll-up upkeep: recompute whole (day, org) buckets from raw rows, on the database.

- ``sources``: the daily roll-ups' source queries and a bucket's recomputation;
- ``coarse``: the coarse tables, derived from the daily roll-ups (or moved by deltas);
- ``dirty``: claiming the buckets the database triggers (``stats.triggers``) recorded;
- ``locks``: what keeps concurrent ticks and per-month rebuilds off each other's rows.

The writes that use them (the incremental tick, the per-month and full rebuilds) are in
``stats.services``; the names below are kept for the callers of the former single module.
"""

from __future__ import annotations

from typing import Any

from haochaping.stats.models import RollupState
from haochaping.stats.rollup.coarse import (
    COARSE,
    DELTA_KEPT,
    SUMMED_FROM,
    apply_delta,
    contributions,
    derive_all,
    derive_buckets,
)
from haochaping.stats.rollup.sources import (
    GRAIN,
    SOURCES,
    VALID_CURRENT,
    Bucket,
    evaluation_source,
    handling_source,
    raw_day_span,
    recompute,
    rules,
    workorder_source,
)

STATE = "main"

__all__ = ["COARSE", "DELTA_KEPT", "GRAIN", "SOURCES", "STATE", "SUMMED_FROM",
           "VALID_CURRENT", "Bucket", "RollupState", "apply_delta", "contributions",
           "derive_all", "derive_buckets", "evaluation_source", "handling_source",
           "raw_day_span", "recompute", "rules", "workorder_source"]

_SERVICES = {"rollup_tick", "rebuild", "rebuild_all", "rebuild_month", "rebuild_recent"}


def __getattr__(name: str) -> Any:
    # stats.tasks (not ours to edit) and older callers import the write services from
    # here; stats.services imports this package, hence the late lookup.
    if name in _SERVICES:
        from haochaping.stats import services

        return getattr(services, name)
    raise AttributeError(name)
