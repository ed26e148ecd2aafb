"""Synthetic records of every exchanged kind, for the conformance kit (no real data).

``exchange check`` builds its sample messages from them, the fake remote sends them down
when told to, the contract tests and the benchmark upload them. Deterministic: the same
profile, kind, count and start give the same records. Every person, number and org here
is made up (the ID numbers are well-formed, with a check digit, and born on 1 January
2000 in a county code that reads as a sample); nothing is read from the database.

The records are returned as the profile reads them back (``rules.mapping.normalise``), so
what a remote decodes equals what was built, whatever the profile's lossy codes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any

from haochaping.catalog.rules.calendar import SHANGHAI, local_day
from haochaping.catalog.rules.standards import Channel
from haochaping.exchange.rules.canonical import (
    ComplaintRecord,
    Event,
    HandlingRecord,
    Identity,
    Kind,
    RatingRecord,
    Record,
    ResultRecord,
    Stage,
    record_key,
)
from haochaping.exchange.rules.fields import COMPLAINT_KINDS
from haochaping.exchange.rules.mapping import normalise
from haochaping.exchange.rules.profile_schema import Profile

SAMPLE_ORG = "12330000SAMPLE001X"  # 18 characters like a unified social credit code
SAMPLE_REGION = "330106001000"
SAMPLE_PREFIX = "SAMPLE"  # every id of a sample record starts with it
# One content item of the current national version per level (NATIONAL.md).
CONTENT_BY_LEVEL = {5: "510", 4: "413", 3: "309", 2: "213", 1: "115"}
# Channels tried in order: the first the profile has a code for is used.
CHANNELS = (Channel.EVALUATOR, Channel.WEB, Channel.APP, Channel.SMS)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def sample_cert_no(index: int) -> str:
    """A well-formed, made-up resident ID number (GB 11643 check digit)."""
    body = f"33010620000101{index % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + _ID_CHECK[total % 11]


def sample_identity(index: int) -> Identity:
    return Identity(user_prop="1", name=f"样例{index:04d}", cert_type="111",
                    cert_no=sample_cert_no(index), phone=f"1390000{index % 10000:04d}")


def _channel(profile: Profile) -> str:
    table = profile.tables["channel"]
    for channel in CHANNELS:
        if table.to_code(channel.value):
            return channel.value
    raise ValueError(f"profile {profile.name} has no code for any sample channel")


def _same_day_before(at: datetime, hours: int) -> datetime:
    """``hours`` before ``at``, but on ``at``'s local day: a sample handling and its rating
    fall on one day for the remote's count per day, whenever the check runs."""
    start = datetime.combine(local_day(at), time(0), tzinfo=SHANGHAI)
    return max(at - timedelta(hours=hours), start)


def _handling(profile: Profile, index: int, at: datetime) -> HandlingRecord:
    accepted = _same_day_before(at, 2)
    return HandlingRecord(
        proj_no=f"{SAMPLE_PREFIX}-P{index:06d}", matter_code="SAMPLE-MATTER-001",
        matter_name="样例事项（连通性测试）", matter_version="1", org_code=SAMPLE_ORG,
        org_name="样例部门", region_code=SAMPLE_REGION,
        status="completed" if index % 2 == 0 else "accepted",
        handling_type="promised" if index % 3 == 0 else "immediate",
        accepted_at=accepted, completed_at=at if index % 2 == 0 else None,
        staff_name="样例人员", applicant=sample_identity(index), source="haochaping-check",
        stages=(Stage(code="accept", name="受理", at=accepted),
                Stage(code="complete", name="办结", at=at, is_service=index % 2 == 0)))


def _rating(profile: Profile, index: int, at: datetime) -> RatingRecord:
    level = 5 - index % 5
    return RatingRecord(
        rating_id=f"{SAMPLE_PREFIX}-R{index:06d}", proj_no=f"{SAMPLE_PREFIX}-P{index:06d}",
        org_code=SAMPLE_ORG, region_code=SAMPLE_REGION, channel=_channel(profile),
        level=level, content_codes=(CONTENT_BY_LEVEL[level],),
        text="" if level > 2 else "样例评价文字", assessed_at=at, assess_number=1,
        is_default=False, stage_code="", rater=sample_identity(index))


def _result(profile: Profile, index: int, at: datetime) -> ResultRecord:
    return ResultRecord(
        order_no=f"{SAMPLE_PREFIX}-W{index:06d}", rating_id=f"{SAMPLE_PREFIX}-R{index:06d}",
        proj_no=f"{SAMPLE_PREFIX}-P{index:06d}", org_code=SAMPLE_ORG,
        content="样例整改情况", rectified_at=_same_day_before(at, 1),
        satisfied=True if index % 2 == 0 else None, closed_at=at)


def _complaint(profile: Profile, index: int, at: datetime) -> ComplaintRecord:
    return ComplaintRecord(
        remote_id=f"{SAMPLE_PREFIX}-A{index:06d}",
        kind=COMPLAINT_KINDS[index % len(COMPLAINT_KINDS)], org_code=SAMPLE_ORG,
        matter_code="SAMPLE-MATTER-001", proj_no=f"{SAMPLE_PREFIX}-P{index:06d}",
        content=f"样例诉求内容（第 {index} 件）：窗口要求重复提交同样的材料，希望一次性告知",
        submitter=sample_identity(index), received_at=at)


_BUILDERS: dict[Kind, Any] = {Kind.HANDLING: _handling, Kind.RATING: _rating, Kind.RESULT: _result,
             Kind.COMPLAINT: _complaint}
_EVENTS = {Kind.HANDLING: Event.SAVED, Kind.RATING: Event.SAVED, Kind.RESULT: Event.CLOSED,
           Kind.COMPLAINT: Event.SAVED}


def sample_ident(record: Record) -> str:
    """The id a sample record's idempotency key is made of."""
    if isinstance(record, HandlingRecord):
        return record.proj_no
    if isinstance(record, RatingRecord):
        return record.rating_id
    if isinstance(record, ResultRecord):
        return record.order_no
    return record.remote_id


def sample_records(profile: Profile, kind: Kind | str, count: int, *, at: datetime,
                   start: int = 1, changes: dict[str, Any] | None = None
                   ) -> list[tuple[str, Record]]:
    """``count`` (idempotency key, record) pairs of ``kind`` numbered from ``start``, made
    at ``at`` (whole seconds), as ``profile`` reads them back; ``changes`` replaces
    top-level fields of every record (``{"org_code": …, "proj_no": …}``)."""
    kind = Kind(kind)
    if profile.kind(kind) is None:
        raise ValueError(f"profile {profile.name} does not exchange {kind.value}")
    moment = at.replace(microsecond=0)
    out: list[tuple[str, Record]] = []
    for index in range(start, start + count):
        record: Record = _BUILDERS[kind](profile, index, moment)
        if changes:
            record = replace(record, **changes)
        record = normalise(profile, record)
        out.append((record_key(kind, sample_ident(record), _EVENTS[kind]), record))
    return out
