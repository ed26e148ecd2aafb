"""What the office may type in and what a 监督员 may file (issue 14 "Intake"). Pure data.

The office enters items received by the 12345 hotline and at the counter (咨询、投诉、建议,
the caller's name and phone taken down: the office vouches for them, no SMS code), and the
综合点评 of suggestion boxes and forums (seeds 001, 003 §13), whose cards may be
anonymous. A 政务服务监督员 files from their own account (seed 001).
"""

from __future__ import annotations

from haochaping.complaints.rules.kinds import Channel, ReplyChannel, SubmissionKind

K = SubmissionKind
# The kinds the office may choose per channel it types in.
ENTRY_KINDS: dict[Channel, tuple[SubmissionKind, ...]] = {
    Channel.HOTLINE: (K.INQUIRY, K.COMPLAINT, K.SUGGESTION),
    Channel.WALK_IN: (K.INQUIRY, K.COMPLAINT, K.SUGGESTION),
    Channel.SUGGESTION_BOX: (K.COMMENT, K.SUGGESTION, K.COMPLAINT),
    Channel.FORUM: (K.COMMENT, K.SUGGESTION, K.COMPLAINT),
}
ENTRY_CHANNELS = tuple(ENTRY_KINDS)
# Channels where the office spoke with the submitter: name and phone are required.
NAMED_CHANNELS = frozenset({Channel.HOTLINE, Channel.WALK_IN})
# What a supervisor may file from their own account.
MONITOR_KINDS = (K.COMMENT, K.SUGGESTION, K.COMPLAINT)
# The reply channels the office may promise; an anonymous card is answered nowhere but on
# the tracking page (``APP``), and only the forwarding platform answers with ``REMOTE``.
ENTRY_REPLY_CHANNELS = (ReplyChannel.SMS, ReplyChannel.PHONE)
ANONYMOUS_REPLY = ReplyChannel.APP


def kind_allowed(channel: Channel, kind: SubmissionKind) -> bool:
    return kind in ENTRY_KINDS.get(channel, ())


def submitter_required(channel: Channel) -> bool:
    return channel in NAMED_CHANNELS
