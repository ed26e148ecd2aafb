"""Self-assessment (自评) and third-party assessment (第三方评估), issue 15. Written by
``services`` only.

A self-assessment form (``SelfForm``) is the office's, with its items; each org it is
published to gets one ``SelfEntry`` holding an ``SelfAnswer`` per item (the org's score
and evidence, then the office's score). A third-party assessment (``Assessment``) has a
scoring sheet (``SheetItem``) and ``Visit`` rows assigned to assessors, each with a
``VisitScore`` per sheet item; published only as a whole.
"""

from __future__ import annotations

from django.db import models

from haochaping.assessment.rules import ENTRY_LABELS, VISIT_LABELS, EntryState, Kind, VisitState

ENTRY_CHOICES = [(s.value, label) for s, label in ENTRY_LABELS.items()]
VISIT_CHOICES = [(s.value, label) for s, label in VISIT_LABELS.items()]
KIND_CHOICES = [(k.value, k.label) for k in Kind]


class SelfForm(models.Model):
    """The office's periodic self-assessment form; published once to a set of orgs."""

    title = models.CharField("名称", max_length=100)
    office = models.ForeignKey("catalog.Org", verbose_name="发布机构", on_delete=models.PROTECT,
                               related_name="+")
    office_path = models.CharField("发布机构路径", max_length=512, db_index=True)
    start = models.DateField("期间起")
    end = models.DateField("期间止")
    deadline = models.DateField("填报截止日期")
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("创建时间")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "自评表"
        verbose_name_plural = "自评表"
        constraints = [models.CheckConstraint(condition=models.Q(end__gte=models.F("start")),
                                              name="selfform_period")]

    def __str__(self) -> str:
        return self.title


class SelfItem(models.Model):
    form = models.ForeignKey(SelfForm, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField("序号")
    name = models.CharField("评分项", max_length=50)
    max_score = models.PositiveSmallIntegerField("满分")
    guidance = models.CharField("评分说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "自评项目"
        verbose_name_plural = "自评项目"
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["form", "position"],
                                               name="selfitem_position")]

    def __str__(self) -> str:
        return self.name

class SelfEntry(models.Model):
    """One org's self-assessment of one form."""

    form = models.ForeignKey(SelfForm, on_delete=models.PROTECT, related_name="entries")
    org = models.ForeignKey("catalog.Org", verbose_name="填报单位", on_delete=models.PROTECT,
                            related_name="+")
    org_path = models.CharField("单位路径", max_length=512, db_index=True)
    state = models.CharField("状态", max_length=16, choices=ENTRY_CHOICES,
                             default=EntryState.PENDING.value)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey("accounts.User", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    return_reason = models.CharField("退回原因", max_length=500, blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey("accounts.User", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    self_score = models.FloatField("自评得分（百分制）", null=True, blank=True)
    score = models.FloatField("审核得分（百分制）", null=True, blank=True)

    class Meta:
        verbose_name = "单位自评"
        verbose_name_plural = "单位自评"
        constraints = [
            models.UniqueConstraint(fields=["form", "org"], name="selfentry_once"),
            models.CheckConstraint(condition=models.Q(state__in=[s.value for s in EntryState]),
                                   name="selfentry_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.form_id}/{self.org_id}"

class SelfAnswer(models.Model):
    entry = models.ForeignKey(SelfEntry, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(SelfItem, on_delete=models.PROTECT, related_name="+")
    self_score = models.DecimalField("自评分", null=True, blank=True, max_digits=5,
                                     decimal_places=1)
    evidence = models.TextField("佐证说明", blank=True)
    attachment = models.FileField("佐证材料", upload_to="assessment/%Y/%m/", blank=True)
    attachment_name = models.CharField("材料名称", max_length=120, blank=True)
    attachment_sha256 = models.CharField("材料摘要（SHA-256）", max_length=64, blank=True)
    office_score = models.DecimalField("审核分", null=True, blank=True, max_digits=5,
                                       decimal_places=1)
    office_note = models.CharField("审核意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "自评得分"
        verbose_name_plural = "自评得分"
        constraints = [models.UniqueConstraint(fields=["entry", "item"],
                                               name="selfanswer_once")]

    def __str__(self) -> str:
        return f"{self.entry_id}/{self.item_id}"

class Assessment(models.Model):
    """A third-party assessment round (e.g. 暗访): its sheet, its visits; published once."""

    title = models.CharField("名称", max_length=100)
    kind = models.CharField("方式", max_length=16, choices=KIND_CHOICES, default=Kind.MYSTERY)
    office = models.ForeignKey("catalog.Org", verbose_name="组织机构", on_delete=models.PROTECT,
                               related_name="+")
    office_path = models.CharField("组织机构路径", max_length=512, db_index=True)
    start = models.DateField("期间起")
    end = models.DateField("期间止")
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("创建时间")
    published_at = models.DateTimeField("结果发布时间", null=True, blank=True)
    summary = models.TextField("结果说明", blank=True)

    class Meta:
        verbose_name = "第三方评估"
        verbose_name_plural = "第三方评估"
        constraints = [models.CheckConstraint(condition=models.Q(end__gte=models.F("start")),
                                              name="assessment_period")]

    def __str__(self) -> str:
        return self.title


class SheetItem(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField("序号")
    name = models.CharField("评分项", max_length=50)
    max_score = models.PositiveSmallIntegerField("满分")

    class Meta:
        verbose_name = "评分表项目"
        verbose_name_plural = "评分表项目"
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["assessment", "position"],
                                               name="sheetitem_position")]

    def __str__(self) -> str:
        return self.name

class Visit(models.Model):
    """One visit an assessor is assigned: a window (or a hall as a whole)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="visits")
    assessor = models.ForeignKey("accounts.User", verbose_name="评估人员",
                                 on_delete=models.PROTECT, related_name="+")
    hall = models.ForeignKey("catalog.Hall", verbose_name="大厅", on_delete=models.PROTECT,
                             related_name="+")
    window = models.ForeignKey("catalog.Window", verbose_name="窗口", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey("catalog.Org", verbose_name="被评估单位", on_delete=models.PROTECT,
                            related_name="+")
    org_path = models.CharField("单位路径", max_length=512, db_index=True)
    state = models.CharField("状态", max_length=16, choices=VISIT_CHOICES,
                             default=VisitState.ASSIGNED.value)
    visited_at = models.DateTimeField("走访时间", null=True, blank=True)
    remarks = models.TextField("情况记录", blank=True)
    recorded_at = models.DateTimeField("记录时间", null=True, blank=True)
    return_reason = models.CharField("退回原因", max_length=500, blank=True)
    score = models.FloatField("得分（百分制）", null=True, blank=True)

    class Meta:
        verbose_name = "评估走访"
        verbose_name_plural = "评估走访"
        constraints = [models.CheckConstraint(
            condition=models.Q(state__in=[s.value for s in VisitState]),
            name="visit_state_valid")]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.pk}"

class VisitScore(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(SheetItem, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField("得分", max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = "走访得分"
        verbose_name_plural = "走访得分"
        constraints = [models.UniqueConstraint(fields=["visit", "item"], name="visitscore_once")]

    def __str__(self) -> str:
        return f"{self.visit_id}/{self.item_id}"
