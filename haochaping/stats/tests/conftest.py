"""Shared statistics fixtures: a town with a random but seeded history of handlings,
ratings, re-ratings, invalidations and work orders, rolled up."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.stats import rollup
from haochaping.stats.tests.test_rollup_equals_raw import Simulation, town  # noqa: F401


def simulate(town: SimpleNamespace, capture: Any, seed: int,  # noqa: F811
             steps: int) -> Simulation:
    """``steps`` random steps of the town's history, then one roll-up run."""
    sim = Simulation(town, seed, capture)
    for _ in range(steps):
        sim.step()
    sim.tick()
    rollup.rollup_tick(sim.now)
    return sim


@pytest.fixture
def simulated(town: SimpleNamespace,  # noqa: F811
              django_capture_on_commit_callbacks: Any) -> Simulation:
    return simulate(town, django_capture_on_commit_callbacks, seed=5, steps=60)
