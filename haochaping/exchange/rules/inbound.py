"""Rules of the downward exchange (汇聚/转办): what a remote may send us, how a refusal is
coded, how a rating waits for its handling and how a forwarded item moves. Pure, no ORM.

The inbound API (``exchange.inbound``) reads the rows and asks these functions; every
refusal has a stable code and a Chinese message (docs/exchange.md "Downward").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from haochaping.complaints.rules.kinds import ORDER_KIND as COMPLAINTS_ORDER_KIND
from haochaping.complaints.rules.kinds import SubmissionKind
from haochaping.exchange.rules.canonical import Identity, Kind, RatingRecord
from haochaping.exchange.rules.errors import ExchangeError
from haochaping.exchange.rules.profile_schema import Profile

# What a remote sends down: ratings made on its channels, and the items it forwards.
INBOUND_KINDS: tuple[Kind, ...] = (Kind.RATING, Kind.COMPLAINT)

# Refusals of a whole request that the codec does not decide (its own codes are in
# rules.codec): (HTTP status, Chinese message).
UNKNOWN_REMOTE = "exchange.unknown_remote"
REMOTE_INACTIVE = "exchange.remote_inactive"
UNSUPPORTED_KIND = "exchange.unsupported_kind"
TOO_LARGE = "exchange.too_large"
RATE_LIMITED = "exchange.rate_limited"
REPLAYED = "exchange.replayed"
KEY_CONFIG = "exchange.key_config"
PROFILE_INVALID = "exchange.profile_invalid"
REFUSALS: dict[str, tuple[int, str]] = {
    UNKNOWN_REMOTE: (404, "未登记的对接平台"),
    REMOTE_INACTIVE: (403, "该对接平台已停用，不接收数据"),
    UNSUPPORTED_KIND: (404, "本平台不接收该类数据"),
    TOO_LARGE: (413, "报文过大"),
    RATE_LIMITED: (429, "请求过于频繁，请稍后再试"),
    REPLAYED: (409, "重复的报文（随机串已使用），已拒收"),
    KEY_CONFIG: (503, "本平台对接密钥配置有误，暂不能接收数据"),
    PROFILE_INVALID: (503, "本平台对接规范配置有误，暂不能接收数据"),
}


class InboundRefused(ExchangeError):
    """A whole inbound request refused before or after the codec: ``status`` is the HTTP
    status the API answers with."""

    def __init__(self, code: str, message: str = "", field: str | None = None,
                 status: int | None = None) -> None:
        default_status, default_message = REFUSALS.get(code, (400, "请求无法处理"))
        super().__init__(code, message or default_message, field)
        self.status = status or default_status


def refused(code: str, detail: str = "", field: str | None = None) -> InboundRefused:
    """The refusal ``code`` with its message, and ``detail`` after it when given."""
    message = REFUSALS[code][1]
    return InboundRefused(code, f"{message}：{detail}" if detail else message, field)


def kind_for(profile: Profile, tail: str) -> Kind:
    """The kind a request to ``/api/v1/exchange/<remote>/<tail>`` carries: ``tail`` is a
    kind's name (``rating``, ``complaint``) or the profile's own path of the kind (the
    remote posts where it would post to any platform). Only the inbound kinds the profile
    exchanges are accepted."""
    tail = tail.strip("/")
    for kind in INBOUND_KINDS:
        spec = profile.kind(kind)
        if spec is not None and tail in (kind.value, spec.path.strip("/")):
            return kind
    raise refused(UNSUPPORTED_KIND, tail[:80] or "（空）", "kind")


def body_digest(body: bytes) -> str:
    """What the rejected-message log keeps of a body: its SHA-256, never its content."""
    return hashlib.sha256(body).hexdigest()


def first_over(count: int, limit: int) -> bool:
    """Log and audit a rate-limited remote once per window (the first request over the
    limit), so a flood cannot turn into a flood of log rows."""
    return count == limit + 1


# --- ratings --------------------------------------------------------------------------

RATING_DEFAULT = "exchange.rating_default"
INVALIDATION_UNKNOWN = "exchange.invalidation_unknown"
INVALIDATION_PENDING = "exchange.invalidation_pending"
HANDLING_AMBIGUOUS = "exchange.handling_ambiguous"
INVALIDATION_REFUSALS: dict[str, str] = {
    INVALIDATION_UNKNOWN: "本平台没有收到该平台的这条评价（或已拒收），无法作废",
    INVALIDATION_PENDING: "该评价尚待匹配办件，暂不能作废，请在办件汇聚后重新发送",
}


@dataclass(frozen=True)
class ItemRefusal:
    code: str
    message: str  # Chinese


def rating_refusal(record: RatingRecord) -> ItemRefusal | None:
    """A rating record we never store, whatever the handling: a default rating made by
    the remote. Our default-rating sweep owns the default ratings of our handlings (the
    org policy's level and deadline, seed 000 §11; the ``default`` channel is the sweep's
    only), so the remote's is refused for good (docs/exchange.md "Downward")."""
    if record.is_default:
        return ItemRefusal(RATING_DEFAULT,
                           "系统默认评价由本平台按本地政策生成，不接收上级平台的默认评价")
    return None


def invalidation_refusal(link_status: str | None) -> ItemRefusal | None:
    """An invalidation of a rating the remote sent us: ``link_status`` is its
    ``InboundRating`` status (None: no rating of that id from that remote). Only a stored
    one can be invalidated; a parked one is waited for (the remote sends it again)."""
    if link_status == "stored":
        return None
    code = INVALIDATION_PENDING if link_status == "parked" else INVALIDATION_UNKNOWN
    return ItemRefusal(code, INVALIDATION_REFUSALS[code])


class ParkedStatus(StrEnum):
    """A rating whose handling we did not have when it arrived (never dropped)."""

    WAITING = "waiting"  # matched by the periodic job once the handling arrives
    MATCHED = "matched"  # stored as our rating
    REFUSED = "refused"  # its handling arrived, but the rating rules refused it

    @property
    def label(self) -> str:
        return PARKED_LABELS[self]


PARKED_LABELS = {ParkedStatus.WAITING: "待匹配办件", ParkedStatus.MATCHED: "已匹配入库",
                 ParkedStatus.REFUSED: "匹配后被拒"}


def parked_fields(record: RatingRecord) -> dict[str, Any]:
    """What a parked rating keeps until its handling arrives: the rating itself, never
    the rater's identity (the handling brings its applicant, who is the rater)."""
    return {"rating_id": record.rating_id, "proj_no": record.proj_no,
            "org_code": record.org_code, "region_code": record.region_code,
            "channel": record.channel, "level": record.level,
            "content_codes": list(record.content_codes), "text": record.text,
            "assessed_at": record.assessed_at.isoformat(),
            "assess_number": record.assess_number, "anonymous": record.anonymous,
            "public": record.public, "stage_code": record.stage_code}


def parked_record(fields: dict[str, Any]) -> RatingRecord:
    """The record a parked rating was received as (without the rater's identity)."""
    return RatingRecord(
        rating_id=fields["rating_id"], proj_no=fields["proj_no"],
        org_code=fields["org_code"], region_code=fields["region_code"],
        channel=fields["channel"], level=int(fields["level"]),
        content_codes=tuple(fields["content_codes"]), text=fields["text"],
        assessed_at=datetime.fromisoformat(fields["assessed_at"]),
        assess_number=int(fields["assess_number"]), is_default=False,
        stage_code=str(fields.get("stage_code", "")), rater=Identity(),
        anonymous=bool(fields["anonymous"]), public=bool(fields["public"]))


def remote_channel_code(profile: Profile, channel: str) -> str:
    """The remote's own channel code of a rating (pf), kept beside our channel: the code
    our value maps to in the profile is the code it was read from (a shared code reads
    back as the first of its values, which maps to that code again)."""
    table = profile.tables.get("channel")
    code = table.to_code(channel) if table is not None else None
    return code if code is not None else channel


# --- forwarded items (咨询、投诉、建议、差评 转办) -----------------------------------------

class ForwardedStatus(StrEnum):
    RECEIVED = "received"  # waiting for the office to dispatch it
    DISPATCHED = "dispatched"  # a work order is open at the org it was dispatched to
    CLOSED = "closed"  # its order closed; the outcome goes back to the remote
    # Refused by the acceptance filter or the office (seed 004 §5): the reason goes back
    # as the outcome; the office may still overturn it and then it is handled and closed.
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return FORWARDED_LABELS[self]


FORWARDED_LABELS = {ForwardedStatus.RECEIVED: "待派发", ForwardedStatus.DISPATCHED: "办理中",
                    ForwardedStatus.CLOSED: "已办结",
                    ForwardedStatus.REFUSED: "不予受理"}
FORWARDED_KIND_LABELS = {"inquiry": "咨询", "complaint": "投诉", "suggestion": "建议",
                         "bad_review": "差评"}

# The work-order kind of a forwarded item: the complaints app's table (a forwarded bad
# review without a rating of ours runs the complaint clocks; a suggestion its own kind).
ORDER_KIND = {kind: COMPLAINTS_ORDER_KIND[SubmissionKind(kind)] for kind in FORWARDED_KIND_LABELS}


def dispatch_refusal(status: str) -> ItemRefusal | None:
    """Only a received item is dispatched, once; a refused one is overturned by the
    office on its complaints item first (seed 004 §5)."""
    if status == ForwardedStatus.REFUSED:
        return ItemRefusal("exchange.forwarded_refused",
                           "该诉求已不予受理，如需办理请先在诉求件中改判受理")
    if status != ForwardedStatus.RECEIVED:
        return ItemRefusal("exchange.forwarded_dispatched", "该诉求已派发，不能重复派发")
    return None

