"""Shared statistics fixtures: a town with a random but seeded history of handlings,
ratings, re-ratings, invalidations and work orders, rolled up."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.stats.tests.test_rollup_equals_raw import Simulation, simulate, town  # noqa: F401


@pytest.fixture
def simulated(town: SimpleNamespace,  # noqa: F811
              django_capture_on_commit_callbacks: Any) -> Simulation:
    return simulate(town, django_capture_on_commit_callbacks, seed=5, steps=60)
