"""Figures by stage (环节, issue 13; seed 002 二(三)): for a scope and period, the rating
counts of each stage rated and their figures (``rules.RATING_FIGURES``: 满意率, 差评率,
平均分), the handling as a whole (办结) among them.

Counted on the rating rows with the roll-ups' own exclusions (``rollup.sources.
rating_counts``: current, valid, default ratings apart), as the roll-ups have no stage key;
scoped and filtered as the drill-downs are (``drill.period_rows``), so a stage's counts
open their rows with ``/api/v1/stats/drilldown?stage=…``. A stage rating counts in the
roll-ups' rating figures too (for the window and staff of its stage), so the sum of these
rows is the dashboard's rating counts of the period once the roll-ups have caught up
(within a minute of a rating). The period's ratings are read through the index on their
time (the stage ratings alone, with a ``stage`` filter, through the partial index
``evaluation_stage_day``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count

from haochaping.accounts.scoping import Actor
from haochaping.catalog.rules.codes import WHOLE_HANDLING, Stage
from haochaping.stats import drill, rules
from haochaping.stats.rollup.sources import rating_counts


@dataclass(frozen=True)
class StageRow:
    stage: Stage
    counts: rules.Counts

    @property
    def name(self) -> str:
        return self.stage.label

    def figures(self) -> dict[rules.Figure, float | None]:
        return rating_figures(self.counts)


def rating_figures(counts: rules.Counts) -> dict[rules.Figure, float | None]:
    """The rating figures of ``counts`` (``rules.RATING_FIGURES``, computed by rules)."""
    return {which: rules.as_float(counts, which) for which in rules.RATING_FIGURES}


def stage_figures(actor: Actor, *, start: date, end: date,
                  key: Mapping[str, Any] | None = None) -> list[StageRow]:
    """One row per stage with any rating row in the period, in the code table's order
    (咨询 … 办结); 422 for a bad filter or range before any read."""
    counts = rating_counts()
    grouped = (drill.period_rows(actor, start=start, end=end, key=key)
               .values_list("stage__stage")
               .annotate(**{name: Count("pk", filter=q) for name, q in counts.items()})
               .order_by())
    found: dict[Stage, rules.Counts] = {}
    for code, *values in grouped:
        stage = Stage(code) if code else WHOLE_HANDLING
        row = rules.Counts(**dict(zip(counts, values, strict=True)))
        found[stage] = found[stage] + row if stage in found else row
    return [StageRow(stage, found[stage]) for stage in Stage if stage in found]
