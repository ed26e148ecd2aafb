"""Tasks of the evaluations app (periodic entries in core.jobs)."""

from __future__ import annotations

from datetime import datetime

from haochaping.core.engine import rules, task
from haochaping.core.engine.fanout import MAX_IDS, fan_out
from haochaping.handlings.models import Handling

DEFAULT_CHUNK = 500


@task(queue=rules.SWEEPS, lock="evaluations.default_ratings")
def default_ratings(now: str) -> str:
    """Seed 000 §11: unrated handlings past ``default_due_at`` get the default level.
    Fans out into chunks of ``DEFAULT_CHUNK`` handlings that workers share."""
    moment = datetime.fromisoformat(now)
    # Rated handlings keep their void deadline (_mark_rated): clear them all at once.
    Handling.objects.filter(default_due_at__lte=moment, rated_at__isnull=False).update(
        default_due_at=None)
    ids = list(Handling.objects.filter(default_due_at__lte=moment)
               .order_by("pk").values_list("pk", flat=True)[:MAX_IDS])
    chunks = fan_out(default_ratings_chunk, now, ids, size=DEFAULT_CHUNK,
                     key="evaluations.default_ratings")
    return f"{len(ids)} due, {chunks} chunks"


@task(queue=rules.SWEEPS)
def default_ratings_chunk(now: str, low: int, high: int) -> str:
    from haochaping.evaluations.services import default_ratings_in

    created, skipped = default_ratings_in(datetime.fromisoformat(now), low, high)
    return f"default ratings [{low}, {high}): {created} created, {skipped} skipped"
