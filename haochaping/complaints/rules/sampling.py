"""Which closed items the office calls back (seed 004 §6(三): 抽查、电话回访). Pure, no ORM.

A draw is reproducible: the same seed, rate and candidates give the same items, so the
recorded seed (``SpotCheck.draw``, and the audit row's parameters) lets anyone re-run it.
Candidates are stratified by kind and department, and each stratum is sampled at the rate
(rounded up: a small department with closed items is never left out).
"""

from __future__ import annotations

import math
import random
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

MIN_RATE = 1  # percent
MAX_RATE = 100
DEFAULT_RATE = 10  # percent, when the office gives none
SEED_PATTERN = re.compile(r"^[A-Za-z0-9]{1,16}$")


@dataclass(frozen=True)
class Candidate:
    id: int
    kind: str
    dept: int  # the department's org id (0: none)


def stratum_size(count: int, rate_percent: int) -> int:
    if count <= 0:
        return 0
    return min(count, math.ceil(count * rate_percent / 100))


def draw(candidates: Sequence[Candidate], *, rate_percent: int, seed: str) -> list[int]:
    """The ids drawn, sorted. Each stratum (kind, department) draws with its own
    generator seeded by ``seed`` and the stratum, from its ids in order, so neither the
    candidates' order nor the other strata change a stratum's draw."""
    if not MIN_RATE <= rate_percent <= MAX_RATE:
        raise ValueError("rate_percent out of range")
    if not SEED_PATTERN.match(seed):
        raise ValueError("seed must be 1-16 letters or digits")
    strata: dict[tuple[str, int], list[int]] = defaultdict(list)
    for c in candidates:
        strata[(c.kind, c.dept)].append(c.id)
    chosen: list[int] = []
    for (kind, dept), ids in sorted(strata.items()):
        ids = sorted(set(ids))
        rng = random.Random(f"{seed}:{kind}:{dept}")  # noqa: S311 - a sample, not a secret
        chosen.extend(rng.sample(ids, stratum_size(len(ids), rate_percent)))
    return sorted(chosen)
