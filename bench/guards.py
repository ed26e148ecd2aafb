"""Guards: the figure a benchmark must reach in the same run, or the run fails.

Each benchmark module declares ``GUARDS`` next to the figures it returns; ``bench/run.py``
checks every figure against them, prints every figure first and then each guard that
failed, and exits non-zero. A guard holds the level a past issue reached (docs/
performance.md, the table at the top), so a change that slips back fails ``make bench``.

A guard whose figure is missing from the run fails too: a renamed figure must not switch
its guard off. A guard meaningful only at the large size (a target set for 10 M rows or
1,000 pads) says so, and a quick run prints it as not checked.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

Figure = tuple[str, float, str]

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, "<=": operator.le, "==": operator.eq}
_SHOWN = {">=": "≥", "<=": "≤", "==": "="}
SIZES = ("quick", "large")


@dataclass(frozen=True)
class Guard:
    """``figure`` is the figure's name; ``{n}`` in it stands for any number (a row count,
    a number of ticks). ``source`` says where the limit comes from."""

    figure: str
    op: str
    limit: float
    unit: str
    source: str
    sizes: tuple[str, ...] = SIZES
    why_large_only: str = ""
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.op not in _OPS:
            raise ValueError(f"unknown guard operator {self.op!r}")
        if set(self.sizes) != set(SIZES) and not self.why_large_only:
            raise ValueError(f"guard {self.figure!r} skips a size without saying why")
        regex = r"\d+".join(re.escape(part) for part in self.figure.split("{n}"))
        object.__setattr__(self, "pattern", re.compile(regex))

    def matches(self, name: str) -> bool:
        return self.pattern.fullmatch(name) is not None

    def holds(self, value: float) -> bool:
        return _OPS[self.op](value, self.limit)

    def describe(self) -> str:
        return f"{_SHOWN[self.op]} {self.limit:g} {self.unit} ({self.source})"


def large_only(why: str, *guards: Guard) -> list[Guard]:
    """The same guards, checked at the large size only, for the reason ``why``."""
    return [Guard(g.figure, g.op, g.limit, g.unit, g.source, sizes=("large",),
                  why_large_only=why) for g in guards]


@dataclass
class Verdict:
    failed: list[str] = field(default_factory=list)
    not_checked: list[str] = field(default_factory=list)
    checked: int = 0


def check(bench: str, figures: Sequence[Figure], guards: Sequence[Guard],
          size: str) -> Verdict:
    """Every guard of ``bench`` against the figures of this run."""
    verdict = Verdict()
    for guard in guards:
        if size not in guard.sizes:
            verdict.not_checked.append(
                f"{bench}: {guard.figure} {guard.describe()} — not checked at the {size} "
                f"size: {guard.why_large_only}")
            continue
        found = [(name, value, unit) for name, value, unit in figures if guard.matches(name)]
        if not found:
            verdict.failed.append(f"{bench}: no figure {guard.figure!r} in this run, so its "
                                  f"guard {guard.describe()} cannot hold")
            continue
        for name, value, unit in found:
            verdict.checked += 1
            if unit != guard.unit:
                verdict.failed.append(f"{bench}: {name} is in {unit}, its guard in "
                                      f"{guard.unit}")
            elif not guard.holds(value):
                verdict.failed.append(f"{bench}: {name} = {value:.4g} {unit}, must be "
                                      f"{guard.describe()}")
    return verdict


def guard_for(name: str, guards: Sequence[Guard]) -> Guard | None:
    return next((g for g in guards if g.matches(name)), None)
