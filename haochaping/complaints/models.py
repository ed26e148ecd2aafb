"""诉求件 (咨询、投诉、建议、差评、综合点评; issue 14, seed 004) and their records.

A ``Submission`` is written by ``complaints.services`` only; its status moves through
``rules.kinds.MOVES`` and every move appends a ``SubmissionEvent`` (the submitter's
timeline and the office's history). Content and submitter are confidential (seed 004
§10): the selectors show them to the assigned handlers, their approver and the office
only, never to a staff member the item is about.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from haochaping.complaints.rules.causes import cause_choices
from haochaping.complaints.rules.kinds import (
    CHANNEL_LABELS,
    KIND_LABELS,
    REPLY_CHANNEL_LABELS,
    STATUS_LABELS,
    URGENCY_LABELS,
)
from haochaping.complaints.rules.reasons import CATEGORY_LABELS, reason_choices

KIND_CHOICES = [(k.value, v) for k, v in KIND_LABELS.items()]
CHANNEL_CHOICES = [(k.value, v) for k, v in CHANNEL_LABELS.items()]
STATUS_CHOICES = [(k.value, v) for k, v in STATUS_LABELS.items()]
URGENCY_CHOICES = [(k.value, v) for k, v in URGENCY_LABELS.items()]
REPLY_CHOICES = [(k.value, v) for k, v in REPLY_CHANNEL_LABELS.items()]
CATEGORY_CHOICES = [(k.value, v) for k, v in CATEGORY_LABELS.items()]


class Submission(models.Model):
    ref = models.CharField("受理编号", max_length=20, unique=True)
    kind = models.CharField("类型", max_length=12, choices=KIND_CHOICES)
    channel = models.CharField("来源渠道", max_length=12, choices=CHANNEL_CHOICES)
    urgency = models.CharField("紧急程度", max_length=8, choices=URGENCY_CHOICES,
                               default="normal")
    status = models.CharField("状态", max_length=12, choices=STATUS_CHOICES)
    # Subject: what the item is about, as far as the submitter knows it.
    matter = models.ForeignKey("catalog.Matter", verbose_name="涉及事项", null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey("catalog.Org", verbose_name="涉及部门", null=True, blank=True,
                            on_delete=models.PROTECT, related_name="+")
    window = models.ForeignKey("catalog.Window", verbose_name="涉及窗口", null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey("catalog.Staff", verbose_name="涉及工作人员", null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    hall = models.ForeignKey("catalog.Hall", verbose_name="便民服务站点", null=True,
                             blank=True, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("catalog.Region", verbose_name="所在区划", null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    subject_text = models.CharField("反映对象", max_length=200, blank=True)
    content = models.TextField("诉求内容")
    # What kind of problem it is (rules.causes, 举一反三): given at intake or set by the
    # office at triage; blank until known. Not ``reason`` (the refusal reason).
    cause = models.CharField("问题类别", max_length=16, blank=True,
                             choices=cause_choices())
    # The office whose subtree receives the item (scoping: its triage and dispatch
    # queues); the handling department is the work order's org.
    office = models.ForeignKey("catalog.Org", verbose_name="受理机构",
                               on_delete=models.PROTECT, related_name="+")
    office_path = models.CharField("受理机构路径", max_length=512, db_index=True)
    submitter = models.ForeignKey("handlings.Rater", verbose_name="诉求人", null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    # Blind index of the phone that may follow the item (tracking page, duplicates).
    phone_index = models.CharField("手机号索引", max_length=64, blank=True, db_index=True)
    reply_channel = models.CharField("答复方式", max_length=8, choices=REPLY_CHOICES,
                                     default="sms")
    filed_by = models.ForeignKey("accounts.User", verbose_name="录入人", null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    # The app / mini-program that filed it (API channel): it may read its own items only.
    client = models.ForeignKey("accounts.ApiClient", verbose_name="提交的移动端", null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    # The acceptance decision (machine or office): reason code of rules.reasons.
    reason = models.CharField("不予受理/待分拣原因", max_length=20, blank=True)
    decision_note = models.TextField("处理意见", blank=True)
    decided_by = models.ForeignKey("accounts.User", verbose_name="决定人", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    # What the acceptance filter found (rules.filter.Verdict.as_dict): shown to the office.
    screening = models.JSONField("过滤结果", default=dict, blank=True)
    order = models.OneToOneField("workorders.WorkOrder", verbose_name="工单", null=True,
                                 blank=True, on_delete=models.PROTECT,
                                 related_name="submission")
    merged_into = models.ForeignKey("self", verbose_name="并入", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged")
    received_at = models.DateTimeField("收到时间")
    dispatched_at = models.DateTimeField("交办时间", null=True, blank=True)
    first_touch_at = models.DateTimeField("首次处理时间", null=True, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    # The submitter's verdict on the answer (tracking page or call-back).
    resolved = models.BooleanField("诉求人认为已解决", null=True, blank=True)
    answer_level = models.PositiveSmallIntegerField("对答复的评价", null=True, blank=True)
    answer_rated_at = models.DateTimeField("评价答复时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "诉求件"
        verbose_name_plural = "诉求件"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=[c for c, _ in KIND_CHOICES]),
                                   name="submission_kind_valid"),
            models.CheckConstraint(condition=Q(channel__in=[c for c, _ in CHANNEL_CHOICES]),
                                   name="submission_channel_valid"),
            models.CheckConstraint(condition=Q(status__in=[c for c, _ in STATUS_CHOICES]),
                                   name="submission_status_valid"),
            models.CheckConstraint(condition=Q(answer_level__isnull=True)
                                   | Q(answer_level__gte=1, answer_level__lte=5),
                                   name="submission_answer_level_valid"),
        ]
        indexes = [
            models.Index(fields=["office_path", "status"], name="submission_queue"),
            models.Index(fields=["received_at"], name="submission_received"),
            models.Index(fields=["updated_at"], name="submission_updated"),
            models.Index(fields=["cause", "received_at"], name="submission_cause"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.ref}"


class SubmissionEvent(models.Model):
    """Append-only: one row per move or step (the timeline)."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT,
                                   related_name="events")
    action = models.CharField("操作", max_length=32)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, blank=True)
    actor = models.ForeignKey("accounts.User", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField("操作人", max_length=150)
    # Shown to the submitter on the tracking page (plain Chinese, no names of staff).
    public_note = models.CharField("对诉求人说明", max_length=500, blank=True)
    note = models.TextField("内部说明", blank=True)
    payload = models.JSONField("数据", default=dict, blank=True)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "诉求件记录"
        verbose_name_plural = "诉求件记录"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.action}"


class SubmissionAttachment(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT,
                                   related_name="attachments")
    file = models.FileField("附件", upload_to="complaints/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveIntegerField("大小")
    created_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "诉求附件"
        verbose_name_plural = "诉求附件"

    def __str__(self) -> str:
        return self.name


class FilterWord(models.Model):
    """A word or phrase of the acceptance filter's lists, kept by the office (§5)."""

    category = models.CharField("类别", max_length=16, choices=CATEGORY_CHOICES)
    reason = models.CharField("原因", max_length=20, choices=reason_choices())
    word = models.CharField("词语", max_length=50)
    # hit: refuse outright when found; cue: only send the item to triage.
    strength = models.CharField("处理方式", max_length=8, default="cue",
                                choices=[("hit", "直接不予受理"), ("cue", "转人工分拣")])
    is_active = models.BooleanField("启用", default=True)
    note = models.CharField("说明", max_length=200, blank=True)
    updated_by = models.ForeignKey("accounts.User", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "过滤词"
        verbose_name_plural = "过滤词"
        constraints = [models.UniqueConstraint(fields=["reason", "word"],
                                               name="filterword_once_per_reason")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.word}"


class SpotCheck(models.Model):
    """抽查回访 (seed 004 §6(三)): a closed item drawn for a call to its submitter."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT,
                                   related_name="spot_checks")
    draw = models.CharField("抽取批次", max_length=40)  # seed and parameters: see payload
    drawn_at = models.DateTimeField("抽取时间")
    called_at = models.DateTimeField("回访时间", null=True, blank=True)
    reached = models.BooleanField("联系上诉求人", null=True, blank=True)
    satisfied = models.BooleanField("满意", null=True, blank=True)
    note = models.TextField("回访情况", blank=True)
    by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+")

    class Meta:
        verbose_name = "抽查回访"
        verbose_name_plural = "抽查回访"
        constraints = [models.UniqueConstraint(fields=["submission", "draw"],
                                               name="spotcheck_once_per_draw")]
        indexes = [models.Index(fields=["called_at"], name="spotcheck_called")]

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.draw}"


class SubmissionOrder(models.Model):
    """Every work order an item was handled as (a reopened item gets a new one; the item's
    ``order`` is the current one). Read by the engine's hooks (which item an order closes)
    and by ``workorders.selectors.visible_orders`` through ``hidden_from_staff`` (no order
    of an item about a staff member ever reaches them, seed 004 §10)."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT,
                                   related_name="order_links")
    order = models.OneToOneField("workorders.WorkOrder", on_delete=models.PROTECT,
                                 related_name="complaint_link")
    at = models.DateTimeField("交办时间")

    class Meta:
        verbose_name = "诉求件工单"
        verbose_name_plural = "诉求件工单"

    def __str__(self) -> str:
        return f"{self.submission_id} → {self.order_id}"
