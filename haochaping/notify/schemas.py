"""Request and response bodies of the notify API."""

from __future__ import annotations

from ninja import Schema
from pydantic import ConfigDict, Field

from haochaping.core.bounds import CleanStr


class InboundSmsIn(Schema):
    """The gateway's webhook body for one SMS reply."""

    model_config = ConfigDict(populate_by_name=True)

    # Parsed from the signed raw body, past the API's parser: the edge's text rule here.
    message_id: CleanStr = Field(min_length=1, max_length=64,
                                 description="网关上行消息ID（幂等键）")
    sender: CleanStr = Field(alias="from", min_length=3, max_length=32, description="发送方手机号")
    text: CleanStr = Field(max_length=2000, description="短信内容")


class InboundSmsOut(Schema):
    outcome: str
