"""Scores the performance review (考核, the appraisal app) reads, 0–100.

- ``self_assessment_scores``: per org, the office-reviewed score of its self-assessments
  whose form period lies inside start..end (the mean when there are several forms).
- ``third_party_scores``: per org and per window, the mean score of the accepted visits
  of published rounds, visited inside start..end (local days).
"""

from __future__ import annotations

from datetime import date

from haochaping.assessment import rules
from haochaping.assessment.models import SelfEntry, Visit
from haochaping.assessment.rules import EntryState, VisitState
from haochaping.core.localtime import day_bounds


def self_assessment_scores(start: date, end: date) -> dict[int, float]:
    scores: dict[int, list[float]] = {}
    rows = (SelfEntry.objects.filter(state=EntryState.SCORED.value, score__isnull=False,
                                     form__start__gte=start, form__end__lte=end)
            .values_list("org_id", "score"))
    for org_id, score in rows:
        scores.setdefault(org_id, []).append(score or 0.0)
    return {org: rules.mean(values) for org, values in scores.items()}


def third_party_scores(start: date, end: date) -> dict[tuple[str, int], float]:
    lower, _ = day_bounds(start)
    _, upper = day_bounds(end)
    scores: dict[tuple[str, int], list[float]] = {}
    rows = (Visit.objects.filter(assessment__published_at__isnull=False,
                                 state=VisitState.ACCEPTED.value, score__isnull=False,
                                 visited_at__gte=lower, visited_at__lt=upper)
            .values_list("org_id", "window_id", "score"))
    for org_id, window_id, score in rows:
        scores.setdefault(("org", org_id), []).append(score or 0.0)
        if window_id is not None:
            scores.setdefault(("window", window_id), []).append(score or 0.0)
    return {key: rules.mean(values) for key, values in scores.items()}
