"""Canonical exchange records: one shape per exchanged kind, whatever a remote calls it.

Every exchange path speaks these records. Upward, a selector builds them from our rows
and a profile (``rules.profiles``) maps them to a remote's field names, code tables,
date format, signature and encryption (``rules.mapping``, ``rules.codec``); downward the
same profile maps a remote's message back. The mapping round-trips: a record mapped to a
profile and back equals the record (property-tested), so every field here is one a
profile can carry. Times are timezone-aware and whole seconds (the national formats
carry no fractions); identity fields are plaintext here and encrypted by the profile at
the boundary, never stored by the exchange.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    """What one exchanged record is."""

    HANDLING = "handling"  # 办件, with its stages (环节)
    RATING = "rating"  # 评价: a rating, a default rating, or its invalidation
    RESULT = "result"  # 整改情况: the rectification result of a bad review's work order
    COMPLAINT = "complaint"  # 咨询/投诉/建议/差评 forwarded to us, and its outcome sent back


KIND_LABELS: dict[Kind, str] = {
    Kind.HANDLING: "办件", Kind.RATING: "评价", Kind.RESULT: "整改情况", Kind.COMPLAINT: "诉求",
}


class Event(StrEnum):
    """Why a record leaves: part of its idempotency key."""

    SAVED = "saved"  # created, or its exchanged fields changed (a handling's status, stages)
    INVALIDATED = "invalidated"  # a rating invalidated after review
    CLOSED = "closed"  # a work order or forwarded item closed with its outcome


def record_key(kind: Kind | str, ident: str, event: Event | str, version: int = 1) -> str:
    """The idempotency key a remote de-duplicates on: the same change sent twice carries
    the same key; a later change of the same object (a handling completed after being
    accepted) carries a higher version."""
    return f"{Kind(kind).value}:{ident}:{Event(event).value}:{version}"


@dataclass(frozen=True)
class Identity:
    """The applicant (rater) as the national fields name them: userProp, userName,
    userPageType, certKey, telPhone. Plaintext in memory only."""

    user_prop: str = "1"  # national userProp code: 1 自然人, 2 企业法人, …
    name: str = ""
    cert_type: str = "111"  # userPageType (GA/T 2000.156): 111 居民身份证
    cert_no: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Stage:
    """One 环节 of a handling (national nodeName / isService)."""

    code: str  # our stage code (handlings' stage table)
    name: str  # nodeName
    at: datetime
    is_service: bool = True  # isService: a stage a rater may rate


@dataclass(frozen=True)
class HandlingRecord:
    proj_no: str  # projectNo
    matter_code: str  # taskCode
    matter_name: str  # taskName
    matter_version: str  # serviceVersion
    org_code: str  # orgcode: unified social credit code of the accepting department
    org_name: str
    region_code: str  # 12 digits here; a profile may send 6
    status: str  # "pending" | "accepted" | "completed" (proStatus 1/2/3)
    handling_type: str  # "immediate" | "promised" (projectType 1/2)
    accepted_at: datetime
    completed_at: datetime | None
    staff_name: str  # proManager
    applicant: Identity
    source: str  # dataSource: the business system that reported the handling
    stages: tuple[Stage, ...] = ()


@dataclass(frozen=True)
class RatingRecord:
    rating_id: str  # our evaluation's public id: unique, stable
    proj_no: str
    org_code: str
    region_code: str
    channel: str  # our channel (catalog.rules.standards.Channel value)
    level: int  # 1–5, 5 best (catalog.rules.standards.Level)
    content_codes: tuple[str, ...]  # evalDetail
    text: str  # writingEvaluation
    assessed_at: datetime  # assessTime
    assess_number: int  # 1 first rating, 2 follow-up (追加)
    is_default: bool  # 系统默认评价
    stage_code: str  # "" = the handling as a whole
    rater: Identity
    anonymous: bool = False  # anonymityFlag
    public: bool = True  # publicFlag
    invalidated_at: datetime | None = None
    invalid_reason: str = ""


@dataclass(frozen=True)
class ResultRecord:
    """整改情况: what was done about a bad review, sent when its work order closes."""

    order_no: str  # our readable work-order number
    rating_id: str
    proj_no: str
    org_code: str
    content: str  # reformContent
    rectified_at: datetime  # reformDate
    satisfied: bool | None  # the rater's answer to the reply, when asked
    closed_at: datetime


@dataclass(frozen=True)
class ComplaintRecord:
    """An item the province forwards (咨询, 投诉, 建议 or 差评) and, once closed, its outcome."""

    remote_id: str  # the remote's own id: the key we de-duplicate on and answer with
    kind: str  # "inquiry" | "complaint" | "suggestion" | "bad_review"
    org_code: str  # the org it is addressed to, when the remote knows it
    matter_code: str
    proj_no: str  # the handling it is about, when known
    content: str
    submitter: Identity
    received_at: datetime
    reply: str = ""  # the outcome, when sent back
    replied_at: datetime | None = None


@dataclass(frozen=True)
class Ack:
    """The remote's answer for one record: accepted (or already had it) or refused."""

    key: str  # the record's idempotency key
    ok: bool
    code: str = ""  # the remote's code on refusal
    message: str = ""


Record = HandlingRecord | RatingRecord | ResultRecord | ComplaintRecord
