"""API schemas of the app / mini-program channel (``/api/v1/complaints``)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema


class SubjectIn(Schema):
    org_code: str = Field("", max_length=32, description="部门编码（catalog）")
    window_code: str = Field("", max_length=32, description="窗口编码")
    matter_code: str = Field("", max_length=64, description="事项编码")
    text: str = Field("", max_length=200, description="无法选择时的反映对象文字")


class SubmitterIn(Schema):
    """The real-name user the app vouches for (into the rater vault, masked on screens)."""

    name: str = Field(max_length=100)
    id_no: str = Field("", max_length=32, description="居民身份证号码（选填）")
    phone: str = Field(max_length=20, description="手机号码：答复与查询进度")


class ComplaintIn(Schema):
    kind: str = Field(max_length=16, description="inquiry 咨询 | complaint 投诉 | suggestion 建议")
    content: str = Field(max_length=4000)
    subject: SubjectIn | None = None
    submitter: SubmitterIn
    reply_channel: str = Field("app", max_length=8, description="sms | phone | app")
    urgency: str = Field("normal", max_length=8, description="normal | urgent")
    cause: str = Field("", max_length=16, description=(
        "问题类别（选填）：attitude 服务态度 | efficiency 办事效率 | materials 一次性告知与材料要求"
        " | guide 办事指南与政策 | process 办事流程 | online 网上办理与系统设备 | fees 收费"
        " | queueing 窗口设置与排队 | facilities 大厅环境与设施"
        " | conduct 工作纪律与廉洁 | other 其他"))


class StepOut(Schema):
    at: datetime
    label: str
    note: str


class RefusalOut(Schema):
    code: str
    label: str
    explanation: str
    where: str


class AnswerOut(Schema):
    text: str
    published_at: datetime


class ComplaintOut(Schema):
    ref: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    received_at: datetime
    handling_org: str
    refusal: RefusalOut | None
    merged_into: str | None
    answer: AnswerOut | None
    timeline: list[StepOut]
