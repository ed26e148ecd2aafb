"""Request and response bodies of the work-order API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from haochaping.core.bounds import Day, Id, Moment


class OrderOut(Schema):
    id: int
    public_id: str
    number: str  # the readable 工单编号 (workorders.numbering)
    kind: str
    status: str
    status_label: str
    org_id: int
    complexity: str
    typical_case: bool
    public_summary: str
    published_at: datetime | None
    contact_due_at: datetime | None
    investigate_due_at: datetime | None
    rectify_due_at: datetime | None
    appeal_file_due_at: datetime | None
    ruling_due_at: datetime | None
    urgent: bool
    first_touch_at: datetime | None
    created_at: datetime


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor_label: str
    note: str
    payload: dict[str, object]
    at: datetime


class PartOut(Schema):
    label: str
    text: str


class DetailOut(Schema):
    order: OrderOut
    rater_name: str
    rater_phone: str
    events: list[EventOut]
    actions: list[str]
    # A request's source, and (its handlers, their head and the office only) its text and
    # the four elements of its latest reply; null / empty for anyone else.
    request_source: str
    request_text: str | None
    reply_parts: list[PartOut]


class SignIn(Schema):
    complexity: Literal["simple", "complex"] | None = None


class CallbackIn(Schema):
    # relay: the privacy-number call's record decides when and whether it reached the rater
    method: Literal["relay", "phone", "sms", "visit"]
    reached: bool = False
    summary: str = Field(max_length=2000)
    called_at: Moment | None = None


class VerifyIn(Schema):
    findings: str = Field(max_length=2000)


class RectifyIn(Schema):
    measures: str = Field(max_length=2000)
    result: str = Field(max_length=2000)
    attachment_ids: list[Id] = Field(default_factory=list, max_length=20)


class ReplyPartsIn(Schema):
    """The four elements of a request's reply (seed 004 §6(二)), each required."""

    investigation: str = Field("", max_length=1000)  # 调查核实
    process: str = Field("", max_length=1000)  # 处理过程
    measures: str = Field("", max_length=1000)  # 整改措施
    result: str = Field("", max_length=1000)  # 整改结果


class ReplyIn(Schema):
    # A bad review's reply; a request's optional note after its four elements.
    text: str = Field("", max_length=500)
    parts: ReplyPartsIn | None = None


class HeadReviewIn(Schema):
    approved: bool
    reasons: str = Field("", max_length=2000)


class ReviewIn(Schema):
    passed: bool
    reasons: str = Field("", max_length=2000)


class ExtensionRequestIn(Schema):
    new_due_date: Day
    reason: str = Field(max_length=2000)


class ExtensionDecideIn(Schema):
    grant: bool
    note: str = Field("", max_length=2000)


class AppealFileIn(Schema):
    grounds: Literal["untrue", "malicious"]
    evidence: str = Field(max_length=2000)
    attachment_ids: list[Id] = Field(default_factory=list, max_length=20)


class AppealRuleIn(Schema):
    upheld: bool
    reason: str = Field(max_length=180)


class RedispatchIn(Schema):
    org_id: Id
    note: str = Field("", max_length=2000)


class TypicalIn(Schema):
    typical: bool = True
    # The text the office confirmed after POST …/typical/preview, published as it is;
    # required to publish (workorder.preview_required), refused while it still holds
    # personal data (workorder.public_text_personal) or is too long (workorder.text_too_long).
    public_text: str = ""


class TypicalPreviewIn(Schema):
    # The office's draft; empty: composed from the order's reasons, measures and reply.
    public_text: str = ""


class FindingOut(Schema):
    kind: str
    label: str
    shown: str  # the original as a screen may show it; empty for what the vault knows
    replacement: str
    start: int  # place of the replacement in ``text``
    end: int


class TypicalPreviewOut(Schema):
    text: str  # the stripped text, to confirm (possibly edited) as ``public_text``
    findings: list[FindingOut]
