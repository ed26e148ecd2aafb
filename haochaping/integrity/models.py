"""防刷评 (issue 15): what the office registers (staff members' phones as blind indexes,
the networks of windows and halls), the signals' flags on ratings, and the office's one
review of each flagged rating. Written by ``services`` only; a rating is never changed
here (a confirmed fraud may be sent to evaluations' invalidation by the office)."""

from __future__ import annotations

from django.db import models

from haochaping.integrity.review_rules import Decision
from haochaping.integrity.rules import SIGNAL_LABELS

SIGNAL_CHOICES = [(s.value, label) for s, label in SIGNAL_LABELS.items()]
DECISION_CHOICES = [(d.value, d.label) for d in Decision]


class StaffPhone(models.Model):
    """A phone a staff member uses, registered by the office: only its blind index (the
    vault's key) and its mask are stored."""

    staff = models.ForeignKey("catalog.Staff", verbose_name="工作人员", on_delete=models.PROTECT,
                              related_name="+")
    phone_index = models.CharField("手机号索引", max_length=64)
    phone_masked = models.CharField("手机号（脱敏）", max_length=20)
    created_at = models.DateTimeField("登记时间")
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        verbose_name = "工作人员登记手机号"
        verbose_name_plural = "工作人员登记手机号"
        constraints = [models.UniqueConstraint(fields=["staff", "phone_index"],
                                               name="staffphone_once")]

    def __str__(self) -> str:
        return f"{self.staff_id}: {self.phone_masked}"


class NetworkRange(models.Model):
    """A window's or a hall's own (internal) network, as a CIDR range."""

    window = models.ForeignKey("catalog.Window", verbose_name="窗口", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    hall = models.ForeignKey("catalog.Hall", verbose_name="大厅", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    cidr = models.CharField("网段", max_length=50)
    note = models.CharField("说明", max_length=100, blank=True)
    created_at = models.DateTimeField("登记时间")
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        verbose_name = "窗口/大厅内部网段"
        verbose_name_plural = "窗口/大厅内部网段"
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(window__isnull=False, hall__isnull=True)
                           | models.Q(window__isnull=True, hall__isnull=False)),
                name="networkrange_one_place"),
        ]

    def __str__(self) -> str:
        return self.cidr


class Flag(models.Model):
    """One signal on one rating, raised once (unique) by the scan job. The rated org,
    window and staff are copied so the queue is scoped without joins."""

    evaluation = models.ForeignKey("evaluations.Evaluation", verbose_name="评价",
                                   on_delete=models.PROTECT, related_name="+")
    signal = models.CharField("信号", max_length=16, choices=SIGNAL_CHOICES)
    explanation = models.CharField("说明", max_length=300)
    details = models.JSONField("计算依据", default=dict)
    org = models.ForeignKey("catalog.Org", verbose_name="被评价部门", on_delete=models.PROTECT,
                            related_name="+")
    org_path = models.CharField("部门路径", max_length=512, db_index=True)
    window = models.ForeignKey("catalog.Window", verbose_name="窗口", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField("评价时间")
    flagged_at = models.DateTimeField("发现时间")

    class Meta:
        verbose_name = "防刷评信号"
        verbose_name_plural = "防刷评信号"
        constraints = [models.UniqueConstraint(fields=["evaluation", "signal"],
                                               name="flag_once_per_signal")]

    def __str__(self) -> str:
        return f"{self.evaluation_id}: {self.signal}"


class Review(models.Model):
    """The office's one decision on a flagged rating (all its signals): cleared, or fraud
    confirmed with a deduction (seed 003 §24), possibly sent to the invalidation path."""

    evaluation = models.OneToOneField("evaluations.Evaluation", verbose_name="评价",
                                      on_delete=models.PROTECT, related_name="+")
    decision = models.CharField("核查结论", max_length=12, choices=DECISION_CHOICES)
    deduction = models.DecimalField("扣分", max_digits=6, decimal_places=2, default=0)
    note = models.CharField("核查情况", max_length=500)
    invalidated = models.BooleanField("已作废评价", default=False)
    org = models.ForeignKey("catalog.Org", verbose_name="被评价部门", on_delete=models.PROTECT,
                            related_name="+")
    staff = models.ForeignKey("catalog.Staff", verbose_name="被评价工作人员", null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField("评价时间", db_index=True)
    by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT,
                           related_name="+")
    at = models.DateTimeField("核查时间")

    class Meta:
        verbose_name = "防刷评核查结论"
        verbose_name_plural = "防刷评核查结论"
        constraints = [
            models.CheckConstraint(condition=models.Q(decision__in=[d.value for d in Decision]),
                                   name="review_decision_valid"),
            models.CheckConstraint(
                condition=(models.Q(decision="confirmed", deduction__gt=0)
                           | models.Q(decision="cleared", deduction=0)),
                name="review_deduction_matches"),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id}: {self.decision}"
