"""核查抽查 (issue 15): a plan (period, scope, rates), its one draw (seed and parameters),
the items drawn, and one finding per item. Written by ``services`` only; the findings'
consequences are written by their own apps (evaluations' invalidation, the work-order
engine's reopen)."""

from __future__ import annotations

from django.db import models

from haochaping.supervision.rules import FINDING_LABELS, METHOD_LABELS, STRATUM_LABELS

STRATUM_CHOICES = [(s.value, label) for s, label in STRATUM_LABELS.items()]
METHOD_CHOICES = [(m.value, label) for m, label in METHOD_LABELS.items()]
FINDING_CHOICES = [(f.value, label) for f, label in FINDING_LABELS.items()]


class CheckPlan(models.Model):
    """The office's plan for one period of its subtree: what to draw and at which rates.
    Its 通报 is published once (``published_at``); before that the departments see
    nothing of it."""

    title = models.CharField("名称", max_length=100)
    scope = models.ForeignKey("catalog.Org", verbose_name="核查范围", on_delete=models.PROTECT,
                              related_name="+")
    scope_path = models.CharField("范围路径", max_length=255, db_index=True)
    start = models.DateField("期间起")
    end = models.DateField("期间止")
    rate_good = models.PositiveSmallIntegerField("好评抽查比例（%）", default=0)
    rate_bad = models.PositiveSmallIntegerField("差评抽查比例（%）", default=0)
    rate_default = models.PositiveSmallIntegerField("默认好评抽查比例（%）", default=0)
    rate_order = models.PositiveSmallIntegerField("已办结工单抽查比例（%）", default=0)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("创建时间")
    published_at = models.DateTimeField("通报发布时间", null=True, blank=True)
    published_by = models.ForeignKey("accounts.User", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "核查抽查计划"
        verbose_name_plural = "核查抽查计划"
        constraints = [models.CheckConstraint(condition=models.Q(end__gte=models.F("start")),
                                              name="checkplan_period")]

    def __str__(self) -> str:
        return self.title


class CheckDraw(models.Model):
    """The plan's one draw: the seed, the parameters and the candidates' digest, so
    ``selectors.draw_replay`` can run it again."""

    plan = models.OneToOneField(CheckPlan, on_delete=models.PROTECT, related_name="draw")
    seed = models.CharField("随机种子", max_length=16)
    drawn_at = models.DateTimeField("抽取时间")
    by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT,
                           related_name="+")
    candidates = models.PositiveIntegerField("候选数")
    digest = models.CharField("候选集摘要（SHA-256）", max_length=64)
    params = models.JSONField("抽样参数", default=dict)

    class Meta:
        verbose_name = "抽样批次"
        verbose_name_plural = "抽样批次"

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.seed}"


class CheckItem(models.Model):
    """A rating or a closed work order drawn for checking; its department and window are
    kept as drawn (the figures' groups)."""

    draw = models.ForeignKey(CheckDraw, on_delete=models.PROTECT, related_name="items")
    stratum = models.CharField("类别", max_length=8, choices=STRATUM_CHOICES)
    evaluation = models.ForeignKey("evaluations.Evaluation", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey("workorders.WorkOrder", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey("catalog.Org", verbose_name="被核查部门", on_delete=models.PROTECT,
                            related_name="+")
    window = models.ForeignKey("catalog.Window", verbose_name="窗口", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    channel = models.CharField("评价渠道", max_length=16, blank=True)

    class Meta:
        verbose_name = "核查对象"
        verbose_name_plural = "核查对象"
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(evaluation__isnull=False, order__isnull=True)
                           | models.Q(evaluation__isnull=True, order__isnull=False)),
                name="checkitem_one_target"),
            models.UniqueConstraint(fields=["draw", "evaluation"], name="checkitem_rating_once"),
            models.UniqueConstraint(fields=["draw", "order"], name="checkitem_order_once"),
        ]

    def __str__(self) -> str:
        return f"{self.stratum}:{self.evaluation_id or self.order_id}"


class CheckFinding(models.Model):
    """One finding per item, never changed: how it was checked, what was found, the
    evidence, and what followed (``outcome``: the invalidation or the reopened order)."""

    item = models.OneToOneField(CheckItem, on_delete=models.PROTECT, related_name="finding")
    method = models.CharField("核查方式", max_length=8, choices=METHOD_CHOICES)
    finding = models.CharField("核查结论", max_length=16, choices=FINDING_CHOICES)
    note = models.TextField("核查情况")
    checked_on = models.DateField("核查日期")
    evidence = models.FileField("佐证材料", upload_to="supervision/%Y/%m/", blank=True)
    evidence_name = models.CharField("佐证文件名", max_length=200, blank=True)
    evidence_sha256 = models.CharField("佐证 SHA-256", max_length=64, blank=True)
    outcome = models.JSONField("处理结果", default=dict)
    by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT,
                           related_name="+")
    at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = "核查结论"
        verbose_name_plural = "核查结论"

    def __str__(self) -> str:
        return f"{self.item_id}: {self.finding}"
