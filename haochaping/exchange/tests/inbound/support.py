"""Helpers of the downward-exchange tests: a remote with its keys, messages built and
signed by the codec as the remote would, and the snapshot of everything a refusal must
leave untouched."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from haochaping.audit.models import AuditEvent
from haochaping.evaluations.models import Evaluation
from haochaping.exchange.models import (
    ForwardedItem,
    InboundNonce,
    InboundRating,
    ParkedRating,
    RejectedMessage,
)
from haochaping.exchange.rules.canonical import ComplaintRecord, Identity, Kind, RatingRecord
from haochaping.exchange.rules.codec import SignedRequest, encode_batch
from haochaping.exchange.rules.profiles import shipped_profile
from haochaping.exchange.rules.signing import KeyRing, KeySet
from haochaping.handlings.models import Rater
from haochaping.workorders.models import WorkOrder

SECRET = "the-provincial-shared-secret-01"
KEY_ENV = "PROV"
_seq = itertools.count(1)


def ring(secret: str = SECRET, key_id: str = "k1") -> KeyRing:
    """The remote's keys: HMAC is shared, so it signs with what we verify with."""
    return KeyRing(hmac=KeySet(((key_id, secret.encode()),)))


def nonce() -> str:
    return f"nonce-{next(_seq):08d}-{timezone.now().timestamp():.0f}"


def rating(proj_no: str, org_code: str, *, level: int = 5, rating_id: str | None = None,
           codes: tuple[str, ...] = ("510",), channel: str = "app", text: str = "",
           at: datetime | None = None, **extra: Any) -> RatingRecord:
    return RatingRecord(
        rating_id=rating_id or f"HN-R{next(_seq):06d}", proj_no=proj_no, org_code=org_code,
        region_code="410105000000", channel=channel, level=level, content_codes=codes,
        text=text, assessed_at=(at or timezone.now() - timedelta(minutes=5)).replace(
            microsecond=0),
        assess_number=1, is_default=False, stage_code="",
        rater=Identity(name="张三", cert_no="11010519491231002X", phone="13812341234"),
        **extra)


def complaint(*, org_code: str = "", proj_no: str = "", kind: str = "complaint",
              remote_id: str | None = None, content: str = "窗口人员多次要求补充同样的材料",
              submitter: Identity | None = None) -> ComplaintRecord:
    return ComplaintRecord(
        remote_id=remote_id or f"HN-A{next(_seq):06d}", kind=kind, org_code=org_code,
        matter_code="", proj_no=proj_no, content=content,
        submitter=submitter if submitter is not None else Identity(
            name="李四", cert_no="", phone="13912345678"),
        received_at=(timezone.now() - timedelta(hours=1)).replace(microsecond=0))


def key_of(record: RatingRecord | ComplaintRecord) -> str:
    ident = record.rating_id if isinstance(record, RatingRecord) else record.remote_id
    kind = "rating" if isinstance(record, RatingRecord) else "complaint"
    return f"{kind}:{ident}:saved:1"


def signed(kind: Kind, records: list[Any], *, keys: KeyRing | None = None,
           now: datetime | None = None, nonce_: str | None = None,
           profile: str = "national") -> SignedRequest:
    items = [(key_of(r), r) for r in records]
    return encode_batch(shipped_profile(profile), kind, items, keys=keys or ring(),
                        now=now or timezone.now(), nonce=nonce_ or nonce())


def post(client: Client, request: SignedRequest, *, remote: str = "henan",
         kind: str = "rating", headers: dict[str, str] | None = None,
         body: bytes | None = None) -> Any:
    sent = {k: v for k, v in request.headers.items() if k != "Content-Type"}
    return client.generic("POST", f"/api/v1/exchange/{remote}/{kind}",
                          data=request.body if body is None else body,
                          content_type=request.headers["Content-Type"],
                          headers=sent if headers is None else headers)


def snapshot() -> tuple[Any, ...]:
    """Everything an accepted item writes: a refused request must leave it as it was."""
    return (list(Evaluation.objects.values_list("pk", flat=True)),
            list(InboundRating.objects.values_list("pk", flat=True)),
            list(ParkedRating.objects.values_list("pk", flat=True)),
            list(ForwardedItem.objects.values_list("pk", flat=True)),
            list(InboundNonce.objects.values_list("pk", flat=True)),
            list(WorkOrder.objects.values_list("pk", flat=True)),
            Rater.objects.count())


def last_rejected() -> RejectedMessage:
    return RejectedMessage.objects.order_by("-pk").first()  # type: ignore[return-value]


def audit_of(row: RejectedMessage) -> AuditEvent:
    return AuditEvent.objects.get(action="exchange.inbound_rejected",
                                  object_type="exchange.rejectedmessage",
                                  object_id=str(row.pk))
