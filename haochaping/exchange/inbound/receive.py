"""One inbound request from a remote platform, from the raw request to the answer.

The checks run cheapest first: the remote (registered, its profile, under its rate limit,
active), the kind, the body's size, the remote's keys, then the codec
(``rules.codec.decode_batch``: signed, by a known key, inside the time window, well
formed), then the replay check (the nonce, unique per remote, inserted in the
transaction that stores the items). A refusal is answered in the profile's answer format
(our error envelope when there is no profile to speak) with a stable code and a Chinese
message, logged in the rejected-message log and audited (``log.rejected_record``); it
stores nothing else. An accepted request is answered with one acknowledgement per item
(``encode_acks``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from haochaping.core import ratelimit
from haochaping.core.errors import AppError
from haochaping.exchange.inbound.forwarded import forwarded_accept
from haochaping.exchange.inbound.log import Received, rejected_record
from haochaping.exchange.inbound.ratings import rating_accept
from haochaping.exchange.keys import key_ring
from haochaping.exchange.models import InboundNonce, Remote
from haochaping.exchange.profiles_store import profile_get
from haochaping.exchange.rules.canonical import Ack, ComplaintRecord, Kind, RatingRecord
from haochaping.exchange.rules.codec import Batch, decode_batch, encode_acks, encode_refusal
from haochaping.exchange.rules.errors import CodecError, KeyConfigError, ProfileError
from haochaping.exchange.rules.inbound import (
    KEY_CONFIG,
    PROFILE_INVALID,
    RATE_LIMITED,
    REMOTE_INACTIVE,
    REPLAYED,
    TOO_LARGE,
    UNKNOWN_REMOTE,
    InboundRefused,
    first_over,
    kind_for,
    refused,
)
from haochaping.exchange.rules.profile_schema import Profile
from haochaping.exchange.rules.signing import KeyRing

RATE_WINDOW = 60  # seconds: the per-remote limit is per minute
# A nonce outlives every time window a profile may allow (at most an hour either way).
NONCE_KEEP = timedelta(hours=3)
JSON = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    content_type: str = JSON


def _envelope(exc: InboundRefused | CodecError, profile: Profile | None) -> bytes:
    if profile is not None and exc.code not in profile.answer.ok:
        return encode_refusal(profile, exc.code, exc.message)
    return orjson.dumps({"code": exc.code, "message": exc.message, "field": exc.field})


def _profile(remote: Remote) -> Profile:
    try:
        return profile_get(remote.profile)
    except (AppError, ProfileError):
        raise refused(PROFILE_INVALID) from None


def _keys(remote: Remote, profile: Profile) -> KeyRing:
    """The remote's keys; a missing or malformed key is our configuration's fault (the
    office reads which one in the admin's key status), not named to the remote."""
    try:
        return key_ring(remote.key_env, profile)
    except KeyConfigError:
        raise refused(KEY_CONFIG) from None


def inbound_receive(*, remote_name: str, tail: str, headers: Mapping[str, str],
                    body: bytes | None, size: int, ip: str | None,
                    now: datetime | None = None) -> Answer:
    """Check and take one request to ``/api/v1/exchange/<remote_name>/<tail>``.
    ``body`` is None when the declared size was over the limit (it was never read)."""
    now = now or timezone.now()
    received = Received(remote_name=remote_name, tail=tail, body=body or b"", size=size,
                        ip=ip, now=now)
    limit = settings.HCP_EXCHANGE_INBOUND_PER_MINUTE
    remote = Remote.objects.filter(name=remote_name[:40]).first()
    profile: Profile | None = None
    log = True
    try:
        if remote is None:
            # Unknown names are counted per address, so guessing names is limited too.
            count = ratelimit.hit(f"exchange_in:ip:{ip}", RATE_WINDOW, now=now.timestamp())
            if count > limit:
                log = first_over(count, limit)
                raise refused(RATE_LIMITED)
            raise refused(UNKNOWN_REMOTE, remote_name[:40], "remote")
        profile = _profile(remote)  # memoised: answers even a flood in its format
        count = ratelimit.hit(f"exchange_in:{remote.pk}", RATE_WINDOW, now=now.timestamp())
        if count > limit:
            log = first_over(count, limit)
            raise refused(RATE_LIMITED)
        if not remote.is_active:
            raise refused(REMOTE_INACTIVE)
        kind = kind_for(profile, tail)
        if body is None or len(body) > settings.HCP_EXCHANGE_INBOUND_MAX_BYTES:
            raise refused(TOO_LARGE,
                          f"不能超过 {settings.HCP_EXCHANGE_INBOUND_MAX_BYTES} 字节", "body")
        batch = decode_batch(profile, kind, headers, body, keys=_keys(remote, profile),
                             now=now)
        acks = batch_accept(remote=remote, profile=profile, kind=kind, batch=batch, now=now)
    except (InboundRefused, CodecError) as exc:
        if log:
            rejected_record(received=received, remote=remote, code=exc.code,
                            message=exc.message, field=exc.field, status=exc.status)
        return Answer(exc.status, _envelope(exc, profile))
    return Answer(200, encode_acks(profile, kind, acks))


def batch_accept(*, remote: Remote, profile: Profile, kind: Kind, batch: Batch,
                 now: datetime) -> list[Ack]:
    """The items of a checked request, with its nonce, in one transaction: a replay (the
    nonce seen before) refuses the whole request (InboundRefused) and stores nothing.
    The API calls it after the codec; the demo with batches it builds itself."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                InboundNonce.objects.create(remote=remote, nonce=batch.nonce, seen_at=now)
        except IntegrityError:
            raise refused(REPLAYED, field=profile.signing.nonce) from None
        acks: list[Ack] = []
        for key, record in batch.items:
            if isinstance(record, RatingRecord):
                acks.append(rating_accept(remote=remote, profile=profile, key=key,
                                          record=record, now=now))
            elif isinstance(record, ComplaintRecord):
                acks.append(forwarded_accept(remote=remote, key=key, record=record, now=now))
    return acks


def nonces_forget(now: datetime) -> int:
    """Nonces older than any time window: a replay of them is refused as stale."""
    deleted, _ = InboundNonce.objects.filter(seen_at__lt=now - NONCE_KEEP).delete()
    return deleted
