"""Tasks of the evaluations app (periodic entries in core.jobs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django_tasks.base import Task

from haochaping.core.engine import rules, task
from haochaping.core.engine.fanout import MAX_IDS, fan_out
from haochaping.handlings import marks
from haochaping.handlings.models import Handling

DEFAULT_CHUNK = 500
INVITE_CHUNK = 200


def _fan_out_due(now: str, deadline: str, chunk: Task[Any, str], size: int, key: str) -> str:
    """Queue ``chunk`` over the handlings whose ``deadline`` has passed (rated ones had
    their void deadline cleared by the caller first)."""
    ids = list(Handling.objects.filter(**{f"{deadline}__lte": datetime.fromisoformat(now)})
               .order_by("pk").values_list("pk", flat=True)[:MAX_IDS])
    chunks = fan_out(chunk, now, ids, size=size, key=key)
    return f"{len(ids)} due, {chunks} chunks"


@task(queue=rules.SWEEPS, lock="evaluations.default_ratings")
def default_ratings(now: str) -> str:
    """Seed 000 §11: unrated handlings past ``default_due_at`` get the default level.
    Fans out into chunks of ``DEFAULT_CHUNK`` handlings that workers share."""
    marks.clear_void_default_deadlines(datetime.fromisoformat(now))
    return _fan_out_due(now, "default_due_at", default_ratings_chunk, DEFAULT_CHUNK,
                        "evaluations.default_ratings")


@task(queue=rules.SWEEPS)
def default_ratings_chunk(now: str, low: int, high: int) -> str:
    from haochaping.evaluations.services import default_ratings_in

    created, skipped = default_ratings_in(datetime.fromisoformat(now), low, high)
    return f"default ratings [{low}, {high}): {created} created, {skipped} skipped"


@task(queue=rules.SWEEPS, lock="evaluations.sms_invitations")
def sms_invitations(now: str) -> str:
    """Seed 003 §9(三): handlings whose ``invite_due_at`` passed get an SMS invitation,
    in chunks that workers share."""
    marks.clear_void_invite_deadlines(datetime.fromisoformat(now))
    return _fan_out_due(now, "invite_due_at", sms_invitations_chunk, INVITE_CHUNK,
                        "evaluations.sms_invitations")


@task(queue=rules.SWEEPS)
def sms_invitations_chunk(now: str, low: int, high: int) -> str:
    from haochaping.evaluations.sms.invitations import sweep_one

    moment = datetime.fromisoformat(now)
    ids = (Handling.objects.filter(invite_due_at__lte=moment, pk__gte=low, pk__lt=high)
           .order_by("pk").values_list("pk", flat=True))
    invited = sum(1 for pk in list(ids) if sweep_one(pk, moment))
    return f"invited {invited} in [{low}, {high})"
