"""A rating the remote invalidated (作废) after it sent it to us (issue 13 "Downward").

Our copy (the evaluation its :class:`InboundRating` links) is invalidated through
``evaluations.services.evaluation_invalidate``, as the office would after an upheld
appeal: with the remote's reason and time, audited under ``exchange:<remote>``, and its
open work order voided by the same hook. The invalidation goes up to the other remotes
like any; the row for the remote it came from is acknowledged at once. A re-delivery
(or a rating already invalid here) is acknowledged again and writes nothing. Only a
rating that came from that remote can be invalidated by it.
"""

from __future__ import annotations

from datetime import datetime

from haochaping.accounts.scoping import system_actor
from haochaping.core.errors import AppError
from haochaping.evaluations.services import evaluation_invalidate
from haochaping.exchange.models import InboundRating, Remote
from haochaping.exchange.rules.canonical import Ack, Kind, RatingRecord
from haochaping.exchange.rules.inbound import invalidation_refusal
from haochaping.exchange.services import outbox_settle_echo

ALREADY = "evaluation.already_invalidated"
DONE_MESSAGE = "评价已作废"


def invalidation_accept(*, remote: Remote, key: str, record: RatingRecord,
                        now: datetime) -> Ack:
    """Take one invalidation item of an accepted request (in the request's transaction);
    a refusal (no such rating from this remote, still parked, a reason our rules refuse)
    is answered per item and writes nothing."""
    link = (InboundRating.objects.filter(remote=remote, rating_id=record.rating_id)
            .select_related("evaluation__org").first())
    refusal = invalidation_refusal(link.status if link is not None else None)
    if refusal is not None:
        return Ack(key=key, ok=False, code=refusal.code, message=refusal.message)
    evaluation = link.evaluation if link is not None else None
    if evaluation is None:  # a stored link always has its rating
        raise ValueError(f"inbound rating {record.rating_id} stored without its evaluation")
    if evaluation.invalidated_at is not None:
        return Ack(key=key, ok=True, message=DONE_MESSAGE)
    try:
        evaluation_invalidate(actor=system_actor(f"exchange:{remote.name}"),
                              evaluation=evaluation, reason=record.invalid_reason,
                              now=record.invalidated_at)
    except AppError as exc:
        if exc.code == ALREADY:  # a concurrent delivery of the same invalidation
            return Ack(key=key, ok=True, message=DONE_MESSAGE)
        return Ack(key=key, ok=False, code=exc.code, message=exc.message)
    outbox_settle_echo(remote_id=remote.pk, kind=Kind.RATING, object_id=evaluation.pk,
                       now=now)
    return Ack(key=key, ok=True, message=DONE_MESSAGE)
