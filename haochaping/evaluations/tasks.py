"""Tasks of the evaluations app (periodic entries in core.jobs)."""

from __future__ import annotations

from datetime import datetime

from haochaping.core.engine import rules, task
from haochaping.core.engine.fanout import MAX_IDS, fan_out
from haochaping.handlings import marks
from haochaping.handlings.models import Handling

DEFAULT_CHUNK = 500
INVITE_CHUNK = 200


@task(queue=rules.SWEEPS, lock="evaluations.default_ratings")
def default_ratings(now: str) -> str:
    """Seed 000 §11: unrated handlings past ``default_due_at`` get the default level.
    Fans out into chunks of ``DEFAULT_CHUNK`` handlings that workers share."""
    moment = datetime.fromisoformat(now)
    # Rated handlings keep their void deadline: clear them all at once.
    marks.clear_void_default_deadlines(moment)
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


@task(queue=rules.SWEEPS, lock="evaluations.sms_invitations")
def sms_invitations(now: str) -> str:
    """Seed 003 §9(三): handlings whose ``invite_due_at`` passed get an SMS invitation,
    in chunks that workers share."""
    moment = datetime.fromisoformat(now)
    # Rated handlings keep their void deadline: clear them all at once.
    marks.clear_void_invite_deadlines(moment)
    ids = list(Handling.objects.filter(invite_due_at__lte=moment)
               .order_by("pk").values_list("pk", flat=True)[:MAX_IDS])
    chunks = fan_out(sms_invitations_chunk, now, ids, size=INVITE_CHUNK,
                     key="evaluations.sms_invitations")
    return f"{len(ids)} due, {chunks} chunks"


@task(queue=rules.SWEEPS)
def sms_invitations_chunk(now: str, low: int, high: int) -> str:
    from haochaping.evaluations.sms.invitations import sweep_one

    moment = datetime.fromisoformat(now)
    ids = (Handling.objects.filter(invite_due_at__lte=moment, pk__gte=low, pk__lt=high)
           .order_by("pk").values_list("pk", flat=True))
    invited = sum(1 for pk in list(ids) if sweep_one(pk, moment))
    return f"invited {invited} in [{low}, {high})"
