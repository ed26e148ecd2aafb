"""What an item (诉求件, ``Submission``) is and how it moves. Pure data, no ORM.

Seed 004 §2 lists 咨询、投诉、建议 and 评价 (差评) the provincial platform forwards; seeds 001
(意见箱、座谈会、政务服务监督员) and 003 §13 add 综合点评, comments on the service as a
whole rather than on one handling. Every item is judged by the acceptance filter (§5,
``rules.filter``), then handled as a work order of the one engine (``workorders``): the
submission's status follows the order and adds what the engine does not know (accepted or
refused, merged, the submitter's verdict on the answer).
"""

from __future__ import annotations

from enum import StrEnum


class SubmissionKind(StrEnum):
    INQUIRY = "inquiry"  # 咨询
    COMPLAINT = "complaint"  # 投诉
    SUGGESTION = "suggestion"  # 建议
    BAD_REVIEW = "bad_review"  # 差评 forwarded from outside (a rating we do not hold)
    COMMENT = "comment"  # 综合点评: suggestion boxes, forums, supervisors (001, 003 §13)

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS: dict[SubmissionKind, str] = {
    SubmissionKind.INQUIRY: "咨询",
    SubmissionKind.COMPLAINT: "投诉",
    SubmissionKind.SUGGESTION: "建议",
    SubmissionKind.BAD_REVIEW: "差评",
    SubmissionKind.COMMENT: "综合点评",
}
# Kinds a citizen may choose on the public page and the app API (差评 only arrives from
# another platform; 综合点评 is entered by the office or a supervisor).
PUBLIC_KINDS = (SubmissionKind.INQUIRY, SubmissionKind.COMPLAINT, SubmissionKind.SUGGESTION)
# Prefix of the reference number (受理编号) per kind: readable on the phone and the page.
REF_PREFIX: dict[SubmissionKind, str] = {
    SubmissionKind.INQUIRY: "ZX", SubmissionKind.COMPLAINT: "TS",
    SubmissionKind.SUGGESTION: "JY", SubmissionKind.BAD_REVIEW: "CP",
    SubmissionKind.COMMENT: "DP",
}
# The work-order kind each submission kind is handled as (workorders.rules.Kind values):
# a forwarded bad review has no local rating, so it runs the complaint clocks.
ORDER_KIND: dict[SubmissionKind, str] = {
    SubmissionKind.INQUIRY: "inquiry", SubmissionKind.COMPLAINT: "complaint",
    SubmissionKind.SUGGESTION: "suggestion", SubmissionKind.BAD_REVIEW: "complaint",
    SubmissionKind.COMMENT: "suggestion",
}


class Channel(StrEnum):
    """Where an item came in (issue 14 "Intake")."""

    WEB = "web"  # the public mobile-first page
    APP = "app"  # the app / mini-program API
    HOTLINE = "hotline"  # 12345, entered by the office
    WALK_IN = "walk_in"  # 现场, entered by the office
    SUGGESTION_BOX = "box"  # 意见箱
    FORUM = "forum"  # 座谈会 / 论坛
    MONITOR = "monitor"  # 政务服务监督员, filed from their own account
    VILLAGE_QR = "village_qr"  # the village station's static QR (seed 004 §12)
    PROVINCE = "province"  # forwarded by the provincial platform (exchange)
    OPEN311 = "open311"  # a civic tool through the Open311 GeoReport v2 interface


    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]


CHANNEL_LABELS: dict[Channel, str] = {
    Channel.WEB: "网上提交", Channel.APP: "移动端", Channel.HOTLINE: "12345热线",
    Channel.WALK_IN: "现场反映", Channel.SUGGESTION_BOX: "意见箱", Channel.FORUM: "座谈会",
    Channel.MONITOR: "政务服务监督员", Channel.VILLAGE_QR: "便民服务站扫码",
    Channel.PROVINCE: "省平台转办", Channel.OPEN311: "Open311接口",
}
# Channels whose submitter proved a phone (SMS code) or a real name themselves.
SELF_SERVICE = frozenset({Channel.WEB, Channel.APP, Channel.VILLAGE_QR})
# Channels the office types in for someone else.
OFFICE_ENTRY = frozenset({Channel.HOTLINE, Channel.WALK_IN, Channel.SUGGESTION_BOX,
                          Channel.FORUM})


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"  # seed 004 §6(一): 紧急类的从快解决


URGENCY_LABELS = {Urgency.NORMAL: "一般", Urgency.URGENT: "紧急"}


class ReplyChannel(StrEnum):
    SMS = "sms"
    PHONE = "phone"
    APP = "app"  # shown on the tracking page / in the app only
    REMOTE = "remote"  # the forwarding platform answers its submitter


REPLY_CHANNEL_LABELS = {ReplyChannel.SMS: "短信", ReplyChannel.PHONE: "电话",
                        ReplyChannel.APP: "网页/移动端查看", ReplyChannel.REMOTE: "由转办平台答复"}


class Status(StrEnum):
    TRIAGE = "triage"  # 待分拣: the filter was not sure; the office decides
    REFUSED = "refused"  # 不予受理 (with a reason; the office may overturn it)
    ACCEPTED = "accepted"  # 已受理，待交办
    DISPATCHED = "dispatched"  # 办理中: a work order is open
    ANSWERED = "answered"  # 已答复: the order closed, the submitter has the answer
    REOPENED = "reopened"  # 未解决，待复核: the submitter said the answer did not resolve it
    CLOSED = "closed"  # 已办结
    MERGED = "merged"  # 已合并: a duplicate that follows another item

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[Status, str] = {
    Status.TRIAGE: "待分拣", Status.REFUSED: "不予受理", Status.ACCEPTED: "已受理待交办",
    Status.DISPATCHED: "办理中", Status.ANSWERED: "已答复", Status.REOPENED: "未解决待复核",
    Status.CLOSED: "已办结", Status.MERGED: "已合并",
}
OPEN_STATUSES = frozenset({Status.TRIAGE, Status.ACCEPTED, Status.DISPATCHED,
                           Status.REOPENED})
# Statuses an accepted item passed through (acceptance rate: accepted / decided).
ACCEPTED_STATUSES = frozenset({Status.ACCEPTED, Status.DISPATCHED, Status.ANSWERED,
                               Status.REOPENED, Status.CLOSED})

# Every allowed move of a submission (the work order keeps its own table).
MOVES: dict[Status, frozenset[Status]] = {
    Status.TRIAGE: frozenset({Status.ACCEPTED, Status.REFUSED, Status.MERGED,
                              Status.DISPATCHED}),
    Status.REFUSED: frozenset({Status.ACCEPTED, Status.DISPATCHED}),  # the office overturns
    Status.ACCEPTED: frozenset({Status.DISPATCHED, Status.REFUSED, Status.MERGED}),
    Status.DISPATCHED: frozenset({Status.ANSWERED, Status.MERGED}),
    Status.ANSWERED: frozenset({Status.CLOSED, Status.REOPENED}),
    Status.REOPENED: frozenset({Status.DISPATCHED, Status.CLOSED}),
    Status.CLOSED: frozenset(),
    Status.MERGED: frozenset(),
}


def may_move(source: Status, target: Status) -> bool:
    return target in MOVES[source]
