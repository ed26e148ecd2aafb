"""绩效考核 (issue 15): the office's review sheets and their indicators, a review run of a
period (the computed table, recomputed until published), the published review (frozen:
insert-only, its canonical JSON and SHA-256) with one row per subject, the privacy
violations the office records, and the improvement plans of the bottom list. Written by
``services`` only."""

from __future__ import annotations

from django.db import models

from haochaping.appraisal.rules import Mode, PeriodKind, SubjectKind
from haochaping.core.records import InsertOnly

KIND_CHOICES = [(k.value, k.label) for k in SubjectKind]
PERIOD_CHOICES = [(k.value, k.label) for k in PeriodKind]
MODE_CHOICES = [(m.value, m.label) for m in Mode]


class ReviewSheet(models.Model):
    """考核方案: who is reviewed (the departments or the staff of the office's subtree),
    how often, and by which indicators. Not changed once created: a new sheet replaces
    it, so every published review stays explained by its sheet."""

    title = models.CharField("方案名称", max_length=100)
    subject_kind = models.CharField("考核对象", max_length=8, choices=KIND_CHOICES)
    period_kind = models.CharField("考核周期", max_length=8, choices=PERIOD_CHOICES)
    scope = models.ForeignKey("catalog.Org", verbose_name="考核范围", on_delete=models.PROTECT,
                              related_name="+")
    scope_path = models.CharField("范围路径", max_length=255, db_index=True)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"

    def __str__(self) -> str:
        return self.title


class ReviewIndicator(models.Model):
    sheet = models.ForeignKey(ReviewSheet, on_delete=models.PROTECT, related_name="indicators")
    position = models.PositiveSmallIntegerField("序号")
    input_key = models.CharField("指标", max_length=40)
    mode = models.CharField("计分方式", max_length=8, choices=MODE_CHOICES)
    weight = models.PositiveSmallIntegerField("权重", default=0)
    deduction = models.DecimalField("每件扣分", max_digits=6, decimal_places=2, default=0)

    class Meta:
        verbose_name = "考核指标"
        verbose_name_plural = "考核指标"
        ordering = ["sheet", "position"]
        constraints = [models.UniqueConstraint(fields=["sheet", "input_key"],
                                               name="review_indicator_once")]

    def __str__(self) -> str:
        return f"{self.sheet_id}:{self.input_key}"


class ReviewRun(models.Model):
    """A review of one period, computed from the rows: its document (canonical JSON) as
    the office reviews it; recomputed in place until it is published."""

    sheet = models.ForeignKey(ReviewSheet, on_delete=models.PROTECT, related_name="runs")
    start = models.DateField("期间起")
    end = models.DateField("期间止")
    content = models.TextField("考核结果（JSON）")
    sha256 = models.CharField("SHA-256", max_length=64)
    computed_at = models.DateTimeField("计算时间")
    computed_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = "考核计算"
        verbose_name_plural = "考核计算"
        constraints = [models.UniqueConstraint(fields=["sheet", "start"],
                                               name="review_run_once")]

    def __str__(self) -> str:
        return f"{self.sheet_id}:{self.start}"


class PublishedReview(models.Model):
    """The published review: the run's document frozen, never updated or deleted
    (database guard, ``core.records``); anyone holding it can recompute the hash."""

    insert_only = InsertOnly(table="appraisal_publishedreview")

    run = models.OneToOneField(ReviewRun, on_delete=models.PROTECT, related_name="published")
    sheet = models.ForeignKey(ReviewSheet, on_delete=models.PROTECT, related_name="published")
    start = models.DateField("期间起")
    end = models.DateField("期间止")
    content = models.TextField("考核结果（JSON）")
    sha256 = models.CharField("SHA-256", max_length=64)
    published_at = models.DateTimeField("发布时间")
    published_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        verbose_name = "已发布考核结果"
        verbose_name_plural = "已发布考核结果"
        constraints = [models.UniqueConstraint(fields=["sheet", "start"],
                                               name="published_review_once")]

    def __str__(self) -> str:
        return f"{self.sheet_id}:{self.start}"


class PublishedRow(models.Model):
    """One subject of a published review (its rank and whether at the bottom), for the
    bottom list's reads; as frozen as the review."""

    insert_only = InsertOnly(table="appraisal_publishedrow")

    review = models.ForeignKey(PublishedReview, on_delete=models.PROTECT, related_name="rows")
    org = models.ForeignKey("catalog.Org", on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey("catalog.Staff", null=True, on_delete=models.PROTECT,
                              related_name="+")
    rank = models.PositiveIntegerField("名次", null=True)
    score = models.DecimalField("得分", max_digits=7, decimal_places=2, null=True)
    at_bottom = models.BooleanField("排名靠后")
    privacy = models.PositiveIntegerField("泄露评价人信息", default=0)

    class Meta:
        verbose_name = "考核结果行"
        verbose_name_plural = "考核结果行"

    def __str__(self) -> str:
        return f"{self.review_id}:{self.org_id}:{self.staff_id or ''}"


class PrivacyViolation(models.Model):
    """A breach of the rater-information rules (seed 003 §22) the office has found: its
    own finding, or a vault ``AccessAlert`` it confirmed. Counted in the review of the
    period it happened in, where it puts the subject straight at the bottom."""

    org = models.ForeignKey("catalog.Org", verbose_name="部门", on_delete=models.PROTECT,
                            related_name="+")
    staff = models.ForeignKey("catalog.Staff", verbose_name="工作人员", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    occurred_on = models.DateField("发生日期")
    description = models.TextField("违规情况")
    alert = models.OneToOneField("vault.AccessAlert", verbose_name="身份查看异常提醒",
                                 null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = "评价人信息保护违规"
        verbose_name_plural = "评价人信息保护违规"

    def __str__(self) -> str:
        return f"{self.org_id}:{self.occurred_on}"


class ImprovementPlan(models.Model):
    """限期整改 of a subject listed at the bottom (seed 000 §15): the measures and the
    deadline; 调换 recorded by the office when the next review still has it at the
    bottom."""

    sheet = models.ForeignKey(ReviewSheet, on_delete=models.PROTECT, related_name="plans")
    review = models.ForeignKey(PublishedReview, verbose_name="列入时的考核",
                               on_delete=models.PROTECT, related_name="plans")
    org = models.ForeignKey("catalog.Org", on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey("catalog.Staff", null=True, on_delete=models.PROTECT,
                              related_name="+")
    measures = models.TextField("整改措施")
    deadline = models.DateField("整改期限")
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("制定时间")
    transferred_at = models.DateTimeField("调换时间", null=True, blank=True)
    transferred_by = models.ForeignKey("accounts.User", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    transfer_note = models.TextField("调换情况", blank=True)

    class Meta:
        verbose_name = "限期整改"
        verbose_name_plural = "限期整改"
        constraints = [
            models.UniqueConstraint(fields=["review", "org"], name="improvement_plan_org_once",
                                    condition=models.Q(staff__isnull=True)),
            models.UniqueConstraint(fields=["review", "staff"],
                                    name="improvement_plan_staff_once",
                                    condition=models.Q(staff__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.review_id}:{self.org_id}:{self.staff_id or ''}"
