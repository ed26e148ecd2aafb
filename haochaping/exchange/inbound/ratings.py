"""Ratings made on a remote platform or app for our handlings (issue 13 "Downward").

Each rating (of the handling, or of one of its stages: ``stage_code``) is stored as our
evaluation through ``evaluations.services.evaluation_submit`` (the channel the profile
maps its code to; a bad one opens its work order as every bad rating does), linked to
the remote's key, rating id and channel code by an :class:`InboundRating`. A rating for
a handling we do not have yet is parked (:class:`ParkedRating`) and stored by
:func:`parked_match` once the handling arrives. A re-delivery (the same key, or the same
rating id under another key) is acknowledged again and stores nothing. The remote's
default ratings are refused (our sweep owns them); its invalidations go to
``inbound.invalidation``.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef

from haochaping.catalog.rules.standards import Channel
from haochaping.core.errors import AppError
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.exchange.inbound.invalidation import invalidation_accept
from haochaping.exchange.inbound.matching import addressee, handling_for
from haochaping.exchange.models import InboundRating, ParkedRating, Remote
from haochaping.exchange.models.inbound import RATING_PARKED, RATING_REFUSED, RATING_STORED
from haochaping.exchange.rules.canonical import Ack, Kind, RatingRecord
from haochaping.exchange.rules.inbound import (
    HANDLING_AMBIGUOUS,
    ItemRefusal,
    ParkedStatus,
    parked_fields,
    parked_record,
    rating_refusal,
    remote_channel_code,
)
from haochaping.exchange.rules.profile_schema import Profile
from haochaping.exchange.services import outbox_settle_echo
from haochaping.handlings.models import Handling

# Refusals that may pass: a rating of a handling not completed yet, or one that met a
# concurrent rating. A live delivery is refused with them and not remembered (the remote
# sends it again); a parked rating keeps waiting.
TRANSIENT = frozenset({"evaluation.not_completed", "evaluation.concurrent"})
PARKED_MESSAGE = "办件尚未汇聚到本平台，评价已暂存，办件到达后自动匹配"
AMBIGUOUS_MESSAGE = "多个业务系统存在相同办件编号，且机构代码无法区分"


def _ack_of(row: InboundRating, key: str) -> Ack:
    if row.status == RATING_REFUSED:
        return Ack(key=key, ok=False, code=row.error_code, message=row.error_message)
    return Ack(key=key, ok=True, message="已接收" if row.status == RATING_STORED
               else PARKED_MESSAGE)


def _existing(remote: Remote, key: str, rating_id: str) -> InboundRating | None:
    """The rating received under ``key`` before, else the same rating under another key."""
    rows = InboundRating.objects.filter(remote=remote)
    return rows.filter(remote_key=key).first() or rows.filter(rating_id=rating_id).first()


def rating_accept(*, remote: Remote, profile: Profile, key: str, record: RatingRecord,
                  now: datetime) -> Ack:
    """Take one rating item of an accepted request (in the request's transaction): a
    rating of the handling or of one of its stages, or the remote's invalidation of one."""
    if record.invalidated_at is not None:
        return invalidation_accept(remote=remote, key=key, record=record, now=now)
    seen = _existing(remote, key, record.rating_id)
    if seen is not None and seen.remote_key == key:
        return _ack_of(seen, key)
    refusal = rating_refusal(record)
    if refusal is None and record.channel not in {c.value for c in Channel}:
        refusal = ItemRefusal("exchange.bad_code", f"评价渠道 “{record.channel}” 无效")
    if refusal is not None:
        return Ack(key=key, ok=False, code=refusal.code, message=refusal.message)
    if seen is not None:  # the same rating under another key: we have it
        return _ack_of(seen, key)
    try:
        with transaction.atomic():
            return _take(remote, profile, key, record, now)
    except IntegrityError:  # a concurrent delivery of the same rating stored it first
        again = _existing(remote, key, record.rating_id)
        if again is None:
            raise
        return _ack_of(again, key)


def _take(remote: Remote, profile: Profile, key: str, record: RatingRecord,
          now: datetime) -> Ack:
    found = handling_for(record.proj_no, record.org_code)
    row = InboundRating(remote=remote, remote_key=key, rating_id=record.rating_id,
                        proj_no=record.proj_no, channel=record.channel,
                        remote_channel=remote_channel_code(profile, record.channel)[:16],
                        received_at=now)
    if found.ambiguous:
        row.status, row.error_code, row.error_message = (RATING_REFUSED, HANDLING_AMBIGUOUS,
                                                         AMBIGUOUS_MESSAGE)
        row.save(force_insert=True)
        return _ack_of(row, key)
    if found.handling is None:
        row.status = RATING_PARKED
        row.save(force_insert=True)
        org = addressee(record.org_code, None)
        ParkedRating.objects.create(inbound=row, proj_no=record.proj_no[:100],
                                    org_code=record.org_code[:64],
                                    org_path=org.path if org is not None else "",
                                    fields=parked_fields(record), parked_at=now)
        return _ack_of(row, key)
    try:
        row.evaluation_id = _submit(found.handling, record, remote.pk, now)
        row.status = RATING_STORED
    except AppError as exc:
        if exc.code in TRANSIENT:
            return Ack(key=key, ok=False, code=exc.code, message=exc.message)
        row.status, row.error_code, row.error_message = (RATING_REFUSED, exc.code[:64],
                                                         exc.message[:300])
    row.save(force_insert=True)
    return _ack_of(row, key)


def _submit(handling: Handling, record: RatingRecord, remote_id: int, now: datetime) -> int:
    """Our evaluation of ``record`` (the handling's applicant is its rater), recorded at
    the time it was made on the remote; AppError (nothing written) when refused. It goes
    up to the other remotes like any rating, never back to the one it came from."""
    rating = RatingInput(level=record.level, content_codes=list(record.content_codes),
                         text=record.text)
    rows = evaluation_submit(handling=handling, rating=rating, channel=Channel(record.channel),
                             assess_number=record.assess_number, from_remote=True,
                             now=record.assessed_at, stage=record.stage_code)
    outbox_settle_echo(remote_id=remote_id, kind=Kind.RATING, object_id=rows[0].pk, now=now)
    return rows[0].pk


# --- parked ratings -------------------------------------------------------------------

MATCH_BATCH = 500


def parked_match(*, now: datetime, limit: int = MATCH_BATCH) -> tuple[int, int]:
    """Store the parked ratings whose handling has arrived: (matched, refused). Each is
    claimed by a conditional update in its own transaction, so any number of workers
    may run this at once; one still waiting (its handling not completed, or ambiguous)
    is tried again on the next run."""
    arrived = Handling.objects.filter(proj_no=OuterRef("proj_no"))
    ids = list(ParkedRating.objects.filter(status=ParkedStatus.WAITING.value)
               .filter(Exists(arrived)).order_by("pk").values_list("pk", flat=True)[:limit])
    matched = refused = 0
    for pk in ids:
        outcome = _match_one(pk, now)
        matched += outcome == ParkedStatus.MATCHED
        refused += outcome == ParkedStatus.REFUSED
    return matched, refused


def _match_one(pk: int, now: datetime) -> ParkedStatus | None:
    with transaction.atomic():
        # The claim: a concurrent worker's update waits for this transaction and then
        # finds the row no longer waiting (SQLite: one writer at a time).
        if not ParkedRating.objects.filter(pk=pk, status=ParkedStatus.WAITING.value).update(
                attempts=F("attempts") + 1):
            return None
        parked = ParkedRating.objects.select_related("inbound").get(pk=pk)
        record = parked_record(parked.fields)
        found = handling_for(record.proj_no, record.org_code)
        if found.handling is None:
            if found.ambiguous:
                ParkedRating.objects.filter(pk=pk).update(error_code=HANDLING_AMBIGUOUS,
                                                          error_message=AMBIGUOUS_MESSAGE)
            return None
        return _settle(parked, found.handling, record, now)


def _settle(parked: ParkedRating, handling: Handling, record: RatingRecord,
            now: datetime) -> ParkedStatus | None:
    try:
        with transaction.atomic():
            evaluation_id = _submit(handling, record, parked.inbound.remote_id, now)
    except AppError as exc:
        if exc.code in TRANSIENT:
            ParkedRating.objects.filter(pk=parked.pk).update(error_code=exc.code[:64],
                                                             error_message=exc.message[:300])
            return None
        ParkedRating.objects.filter(pk=parked.pk).update(
            status=ParkedStatus.REFUSED.value, settled_at=now, error_code=exc.code[:64],
            error_message=exc.message[:300])
        InboundRating.objects.filter(pk=parked.inbound_id).update(
            status=RATING_REFUSED, error_code=exc.code[:64], error_message=exc.message[:300])
        return ParkedStatus.REFUSED
    ParkedRating.objects.filter(pk=parked.pk).update(
        status=ParkedStatus.MATCHED.value, settled_at=now, error_code="", error_message="")
    InboundRating.objects.filter(pk=parked.inbound_id).update(status=RATING_STORED,
                                                              evaluation_id=evaluation_id)
    return ParkedStatus.MATCHED
