"""共性问题任务 (issue 15, 举一反三, 双归零) and their evidence. Written by
``problems.services`` only; the rule that opens them is ``problems.rules.detect``."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from haochaping.complaints.rules.causes import cause_choices
from haochaping.problems.rules import EVIDENCE_LABELS, STATUS_LABELS, SubjectKind

STATUS_CHOICES = [(k.value, v) for k, v in STATUS_LABELS.items()]
EVIDENCE_CHOICES = [(k.value, v) for k, v in EVIDENCE_LABELS.items()]
SUBJECT_CHOICES = [(k.value, k.label) for k in SubjectKind]


class ProblemTask(models.Model):
    """One common problem: a cause clustering on a matter or an org, for the owning org
    to fix systemically. At most one unfinished task per (cause, subject)."""

    cause = models.CharField("问题类别", max_length=16, choices=cause_choices())
    subject_kind = models.CharField("集中对象", max_length=8, choices=SUBJECT_CHOICES)
    subject_key = models.CharField("对象键", max_length=32)  # rules.subject_key
    matter = models.ForeignKey("catalog.Matter", verbose_name="事项", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey("catalog.Org", verbose_name="责任部门", on_delete=models.PROTECT,
                            related_name="+")
    org_path = models.CharField("责任部门路径", max_length=512, db_index=True)
    status = models.CharField("状态", max_length=12, choices=STATUS_CHOICES, default="open")
    rating_count = models.PositiveIntegerField("差评件数", default=0)
    item_count = models.PositiveIntegerField("诉求件数", default=0)
    # The ids behind the cluster: {"ratings": [...], "items": [...]}
    signals = models.JSONField("线索", default=dict)
    window_start = models.DateTimeField("统计时段起")
    opened_at = models.DateTimeField("生成时间")
    due_at = models.DateTimeField("整改期限")
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    recurrence_of = models.ForeignKey("self", verbose_name="复发于", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="recurrences")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "共性问题"
        verbose_name_plural = "共性问题"
        constraints = [
            models.UniqueConstraint(fields=["cause", "subject_key"],
                                    condition=~Q(status="closed"),
                                    name="problemtask_one_unfinished"),
            models.CheckConstraint(condition=Q(status__in=[c for c, _ in STATUS_CHOICES]),
                                   name="problemtask_status_valid"),
        ]
        indexes = [models.Index(fields=["org_path", "status"], name="problemtask_queue")]

    def __str__(self) -> str:
        return f"{self.get_cause_display()} {self.subject_key}"


class ProblemEvidence(models.Model):
    """整改材料: what the department changed, and the office's check of it."""

    task = models.ForeignKey(ProblemTask, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField("整改方式", max_length=8, choices=EVIDENCE_CHOICES)
    text = models.TextField("整改说明")
    file = models.FileField("附件", upload_to="problems/%Y/%m/", blank=True)
    file_name = models.CharField("附件名", max_length=200, blank=True)
    file_type = models.CharField("附件类型", max_length=100, blank=True)
    file_sha256 = models.CharField("附件SHA-256", max_length=64, blank=True)
    submitted_by = models.ForeignKey("accounts.User", verbose_name="提交人",
                                     on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("提交时间")
    accepted = models.BooleanField("核查通过", null=True, blank=True)
    check_note = models.TextField("核查意见", blank=True)
    checked_by = models.ForeignKey("accounts.User", verbose_name="核查人", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField("核查时间", null=True, blank=True)

    class Meta:
        verbose_name = "共性问题整改材料"
        verbose_name_plural = "共性问题整改材料"
        ordering = ["submitted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.get_kind_display()}"
