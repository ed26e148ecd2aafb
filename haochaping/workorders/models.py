"""工单 (work orders: bad reviews and requests) and their step records (issues 4, 14).

The order's ``status`` changes only through ``services.workorder_transition`` (compare and
swap on the status); every transition and step appends a WorkOrderEvent. Deadlines are
stored per clock (STYLE.md §6), each under a partial index naming the job that reads it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import models
from django.db.models import Q

from haochaping.workorders.numbering import order_number
from haochaping.workorders.rules import KIND_LABELS, OPEN_STATES, STATE_LABELS, Complexity

STATUS_CHOICES = [(s.value, label) for s, label in STATE_LABELS.items()]
KIND_CHOICES = [(k.value, label) for k, label in KIND_LABELS.items()]
COMPLEXITY_CHOICES = [(Complexity.SIMPLE.value, "简单"), (Complexity.COMPLEX.value, "复杂")]
OPEN_VALUES = [s.value for s in OPEN_STATES]


def _due_index(field: str, job: str) -> models.Index:
    # Read by the deadline sweeps: a range query on this column over open orders only.
    return models.Index(fields=[field], name=f"wo_{field[:-7]}_due_{job}"[:30],
                        condition=Q(**{f"{field}__isnull": False}, status__in=OPEN_VALUES))


class WorkOrder(models.Model):
    public_id = models.UUIDField("工单编号", default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField("类型", max_length=12, choices=KIND_CHOICES)
    evaluation = models.ForeignKey("evaluations.Evaluation", verbose_name="差评",
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="work_orders")
    handling = models.ForeignKey("handlings.Handling", verbose_name="办件", null=True,
                                 blank=True, on_delete=models.PROTECT,
                                 related_name="work_orders")
    # A bad rating of one stage (环节) of the handling: its order is that stage's, open
    # beside an order of the handling as a whole (or of another stage). Null otherwise.
    stage = models.ForeignKey("handlings.HandlingStage", verbose_name="评价环节", null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+",
                              db_index=False)
    # 谁办理谁负责: the handling's org; the path is copied for subtree scoping.
    org = models.ForeignKey("catalog.Org", verbose_name="承办部门", on_delete=models.PROTECT,
                            related_name="work_orders")
    org_path = models.CharField("机构路径", max_length=255, db_index=True)
    status = models.CharField("状态", max_length=12, choices=STATUS_CHOICES)
    complexity = models.CharField("复杂程度", max_length=8, choices=COMPLEXITY_CHOICES,
                                  default=Complexity.COMPLEX.value)
    # 紧急类的从快解决 (seed 004 §6(一)): a request opened urgent runs the urgent limits.
    urgent = models.BooleanField("加急", default=False)
    typical_case = models.BooleanField("典型案例", default=False)
    # The redacted text the public page shows, composed when the office marks the order
    # typical (services.publication); cleared when it is un-marked.
    public_summary = models.TextField("公示文本", blank=True)
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    satisfied = models.BooleanField("评价人对整改满意", null=True, blank=True)
    contact_due_at = models.DateTimeField("联系时限", null=True, blank=True)
    investigate_due_at = models.DateTimeField("核实时限", null=True, blank=True)
    rectify_due_at = models.DateTimeField("整改时限", null=True, blank=True)
    appeal_file_due_at = models.DateTimeField("申诉提出时限", null=True, blank=True)
    ruling_due_at = models.DateTimeField("申诉复核时限", null=True, blank=True)
    # The rectification clock paused by a pending appeal (rules.pause / resume_after).
    paused_amount = models.PositiveSmallIntegerField("暂停时剩余时限", null=True, blank=True)
    paused_unit = models.CharField("剩余时限单位", max_length=16, blank=True)
    created_at = models.DateTimeField("创建时间")
    dispatched_at = models.DateTimeField("派单时间")
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    # The first act of the department holding the order (handler or head; signing counts)
    # since ``dispatched_at``: stats computes the first-touch time from it. A re-dispatch
    # clears it for the new department.
    first_touch_at = models.DateTimeField("首次处理时间", null=True, blank=True)
    submitted_at = models.DateTimeField("提交审阅时间", null=True, blank=True)
    replied_at = models.DateTimeField("反馈时间", null=True, blank=True)
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    appealed_at = models.DateTimeField("申诉时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    voided_at = models.DateTimeField("撤销时间", null=True, blank=True)
    # Set once, by the deadline sweep, when a duty clock of the order first ran out; kept
    # after an extension or closure (statistics count orders that were ever late).
    overdue_at = models.DateTimeField("首次逾期时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "工单"
        verbose_name_plural = "工单"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=[c for c, _ in STATUS_CHOICES]),
                                   name="workorder_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=[c for c, _ in KIND_CHOICES]),
                                   name="workorder_kind_valid"),
            # workorder_open_for_evaluation is idempotent through these two.
            models.UniqueConstraint(fields=["evaluation"], name="workorder_one_per_evaluation"),
            models.UniqueConstraint(fields=["handling", "kind"], condition=Q(
                status__in=OPEN_VALUES, stage__isnull=True),
                name="workorder_one_open_per_handling"),
            models.UniqueConstraint(fields=["stage", "kind"], condition=Q(
                status__in=OPEN_VALUES, stage__isnull=False),
                name="workorder_one_open_per_stage"),
        ]
        indexes = [
            _due_index("contact_due_at", "sweep"),
            _due_index("investigate_due_at", "sweep"),
            _due_index("rectify_due_at", "sweep"),
            _due_index("appeal_file_due_at", "sweep"),
            _due_index("ruling_due_at", "sweep"),
            # queue_for: a department's or office's open orders.
            models.Index(fields=["org_path", "status"], name="workorder_queue"),
            # The roll-up job's "changed since" look-up (stats.rollup.touched) and a
            # period's orders (statistics drill-down): without them each tick read every
            # order.
            models.Index(fields=["updated_at"], name="workorder_updated"),
            models.Index(fields=["created_at"], name="workorder_created"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}工单 {self.number}"

    @property
    def number(self) -> str:  # the one readable 工单编号 (numbering.py)
        return order_number(self.kind, self.created_at, self.pk)

    @property
    def next_due_at(self) -> datetime | None:  # the soonest running deadline (queues)
        return min((d for d in (self.contact_due_at, self.investigate_due_at,
                                self.rectify_due_at, self.ruling_due_at) if d), default=None)


class OrderRequest(models.Model):
    """诉求: what an order without a rating is about (咨询、投诉 forwarded by the provincial
    platform, opened by ``services.requests``) and where it came from. Confidential (seed
    004 §10): ``selectors.order_detail`` shows the text to the order's handlers and the
    office only. A table of its own, written once with the order."""

    order = models.OneToOneField(WorkOrder, verbose_name="工单", primary_key=True,
                                 on_delete=models.PROTECT, related_name="request")
    text = models.TextField("诉求内容")
    source = models.CharField("诉求来源", max_length=100)
    # A complaint about a staff member (seed 004 §10): never shown to that staff member
    # (selectors.visible_orders, notifications, SMS).
    staff = models.ForeignKey("catalog.Staff", verbose_name="被反映人员", null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "工单诉求"
        verbose_name_plural = "工单诉求"

    def __str__(self) -> str:
        return f"{self.order_id}: {self.source}"


class WorkOrderEvent(models.Model):
    """Append-only: one row per transition or step (STYLE.md §5)."""

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="events")
    action = models.CharField("操作", max_length=32)
    from_status = models.CharField("原状态", max_length=12)
    to_status = models.CharField("新状态", max_length=12)
    actor = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_label = models.CharField("操作人", max_length=150)
    note = models.TextField("说明", blank=True)
    payload = models.JSONField("数据", default=dict)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "工单记录"
        verbose_name_plural = "工单记录"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.action}"


class Attachment(models.Model):
    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField("附件", upload_to="workorders/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveIntegerField("大小")
    uploaded_by = models.ForeignKey("accounts.User", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"

    def __str__(self) -> str:
        return self.name


class _Step(models.Model):
    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT)
    by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+")
    at = models.DateTimeField("记录时间")

    class Meta:
        abstract = True


class Callback(_Step):
    METHODS = [("relay", "隐私号通话"), ("phone", "电话"), ("sms", "短信"), ("visit", "上门")]
    called_at = models.DateTimeField("回访时间")
    method = models.CharField("回访方式", max_length=8, choices=METHODS)
    reached = models.BooleanField("联系上评价人")
    summary = models.TextField("回访情况")

    class Meta:
        verbose_name = "回访"
        verbose_name_plural = "回访"
        constraints = [models.CheckConstraint(
            condition=Q(method__in=["relay", "phone", "sms", "visit"]),
            name="callback_method_valid")]
        indexes = [models.Index(fields=["at"], name="callback_at")]  # stats.rollup.touched

    def __str__(self) -> str:
        return f"{self.order_id}: callback {self.pk}"


class Verification(_Step):
    findings = models.TextField("核实情况")

    class Meta:
        verbose_name = verbose_name_plural = "核实"

    def __str__(self) -> str:
        return f"{self.order_id}: verification {self.pk}"


class Rectification(_Step):
    measures = models.TextField("整改措施")
    result = models.TextField("整改结果")
    attachments = models.ManyToManyField(Attachment, blank=True, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "整改"

    def __str__(self) -> str:
        return f"{self.order_id}: rectification {self.pk}"


class Reply(_Step):
    text = models.TextField("反馈内容")
    # A request's reply: the four elements of seed 004 §6(二) (request_rules.REPLY_PARTS),
    # composed into ``text`` as well; empty for a bad review.
    parts = models.JSONField("答复要素", default=dict, blank=True)
    channel = models.CharField("反馈渠道", max_length=8, default="sms")
    outbox_message = models.ForeignKey("notify.OutboxMessage", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    # Shown on the rater's page once the office passed QA, or at once without QA.
    visible_to_rater_at = models.DateTimeField("对评价人公开时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "反馈"

    def __str__(self) -> str:
        return f"{self.order_id}: reply {self.pk}"


class Review(_Step):
    passed = models.BooleanField("通过")
    reasons = models.TextField("退回理由", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "质检"

    def __str__(self) -> str:
        return f"{self.order_id}: review {self.pk}"


class Extension(_Step):
    STATUSES = [("requested", "待审批"), ("granted", "已同意"), ("refused", "不同意")]
    requested_due_date = models.DateField("申请的新期限")
    reason = models.TextField("延期理由")
    status = models.CharField("状态", max_length=10, choices=STATUSES, default="requested")
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["requested", "granted", "refused"]),
                                   name="extension_status_valid"),
            # One pending request per order: the office decides before another is asked.
            models.UniqueConstraint(fields=["order"], condition=Q(status="requested"),
                                    name="extension_one_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: extension {self.pk}"


class Appeal(_Step):
    GROUNDS = [("untrue", "不实评价"), ("malicious", "恶意差评")]
    RULINGS = [("upheld", "申诉成立"), ("rejected", "申诉驳回")]
    grounds = models.CharField("申诉理由", max_length=10, choices=GROUNDS)
    evidence = models.TextField("证据说明")
    attachments = models.ManyToManyField(Attachment, blank=True, related_name="+")
    filing_due_at = models.DateTimeField("申诉提出时限", null=True, blank=True)
    ruling = models.CharField("复核结论", max_length=10, choices=RULINGS, blank=True)
    ruled_by = models.ForeignKey("accounts.User", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    ruled_at = models.DateTimeField("复核时间", null=True, blank=True)
    ruling_reason = models.TextField("复核理由", blank=True)

    class Meta:
        verbose_name = "申诉"
        verbose_name_plural = "申诉"
        constraints = [
            models.CheckConstraint(condition=Q(grounds__in=["untrue", "malicious"]),
                                   name="appeal_grounds_valid"),
            models.UniqueConstraint(fields=["order"], condition=Q(ruling=""),
                                    name="appeal_one_pending"),
        ]
        indexes = [  # stats.rollup.touched: appeals filed or ruled since the watermark
            models.Index(fields=["at"], name="appeal_at"),
            models.Index(fields=["ruled_at"], name="appeal_ruled_at",
                         condition=Q(ruled_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: appeal {self.pk}"


class Escalation(models.Model):
    """督办. The unique constraint makes the escalation job idempotent (STYLE.md §7):
    ``period`` is the due timestamp the escalation is about, so a re-run or a second
    worker cannot escalate the same missed deadline twice."""

    KINDS = [("overdue", "逾期督办"), ("returned", "退回督办"), ("manual", "人工督办")]
    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="escalations")
    kind = models.CharField("督办类型", max_length=10, choices=KINDS)
    clock = models.CharField("时限", max_length=16, blank=True)
    period = models.CharField("期次", max_length=40)
    level = models.PositiveSmallIntegerField("督办级别", default=1)
    note = models.TextField("说明", blank=True)
    by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+")
    at = models.DateTimeField("督办时间")

    class Meta:
        verbose_name = "督办"
        verbose_name_plural = "督办"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["overdue", "returned", "manual"]),
                                   name="escalation_kind_valid"),
            models.UniqueConstraint(fields=["order", "kind", "clock", "period"],
                                    name="escalation_once_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.kind} {self.clock}"


NOTIFICATION_KINDS = [("warning", "即将到期"), ("overdue", "已逾期"), ("escalated", "督办"),
                      ("new", "新工单"), ("returned", "退回重办")]


class Notification(models.Model):
    """An in-app message to an org's users about one order (the workbench lists them).
    Addressed to the org that owes the step (the handling department, or the supervising
    office for a ruling); the unique constraint makes each warning or escalation notice
    once per (order, kind, clock, due time), whoever runs the sweep. A ``new`` or
    ``returned`` notice (services.notices) has no clock; its ``due_at`` is the moment of
    the dispatch or return it is about, so it is once per event."""

    KINDS = NOTIFICATION_KINDS
    org = models.ForeignKey("catalog.Org", verbose_name="接收机构", on_delete=models.PROTECT,
                            related_name="+")
    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT,
                              related_name="notifications")
    kind = models.CharField("类型", max_length=10, choices=KINDS)
    clock = models.CharField("时限", max_length=16)
    due_at = models.DateTimeField("到期时间")
    text = models.CharField("内容", max_length=200)
    created_at = models.DateTimeField("时间")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "工单提醒"
        verbose_name_plural = "工单提醒"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=[k for k, _ in NOTIFICATION_KINDS]),
                                   name="notification_kind_valid"),
            models.UniqueConstraint(fields=["order", "kind", "clock", "due_at"],
                                    name="notification_once_per_due"),
        ]
        indexes = [models.Index(fields=["org", "read_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.kind} {self.clock}"
