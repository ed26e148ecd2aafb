"""The database guard of the ratings table (core.records, issue 17; ADR 0003).

A rating is never edited or deleted (BRIEF non-negotiables): only its two lifecycle
markers change, once each and one way — superseded by a newer rating of the same handling
(seed 003 §10: ``is_current`` false with ``superseded_at``) and invalidated after an upheld
appeal (seed 003 §23: ``invalidated_at`` with ``invalid_reason``). The triggers refuse any
other change, whoever sends it; the runtime database role may update these four columns
only (``haochaping db roles``). Installed by migration ``evaluations 0007``.
"""

from __future__ import annotations

from haochaping.core.records import InsertOnly

EVALUATION_GUARD = InsertOnly(
    table="evaluations_evaluation",
    markers=("is_current", "superseded_at", "invalidated_at", "invalid_reason"),
    rules=(
        ("NOT OLD.is_current AND NEW.is_current", "a superseded rating cannot become current"),
        ("OLD.is_current AND NOT NEW.is_current AND NEW.superseded_at IS NULL",
         "superseding sets superseded_at"),
        ("OLD.superseded_at IS NULL AND NEW.superseded_at IS NOT NULL AND NEW.is_current",
         "superseded_at is set only when superseding"),
        ("OLD.superseded_at IS NOT NULL AND NEW.superseded_at {ne} OLD.superseded_at",
         "superseded_at is set once"),
        ("OLD.invalidated_at IS NOT NULL AND (NEW.invalidated_at {ne} OLD.invalidated_at "
         "OR NEW.invalid_reason {ne} OLD.invalid_reason)", "an invalidation is set once"),
        ("OLD.invalidated_at IS NULL AND NEW.invalidated_at IS NULL "
         "AND NEW.invalid_reason {ne} OLD.invalid_reason",
         "invalid_reason is set only when invalidating"),
        ("OLD.invalidated_at IS NULL AND NEW.invalidated_at IS NOT NULL "
         "AND NEW.invalid_reason = ''", "an invalidation states its reason"),
    ),
)
