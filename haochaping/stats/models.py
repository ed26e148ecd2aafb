"""Daily rollups: additive counts per (day, org, …) bucket (docs/metrics.md).

Kept by ``stats.services.rollup_tick`` (job ``stats.rollup``), which recomputes the whole
(day, org) buckets the triggers marked dirty (``DirtyBucket``) from raw rows; rebuilt by
month (``services.rebuild_month``) or whole (``manage.py stats_rebuild``). Selectors read
only these tables. Every count column is additive, so a month, a year or an org subtree is
a SUM over day rows (rules.Counts).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models

from haochaping.core.records import InsertOnly
from haochaping.evaluations.models import CHANNEL_CHOICES
from haochaping.stats.guards import SNAPSHOT_GUARD

# The 诉求件 roll-ups (complaints app) are declared in stats.item_models.
from haochaping.stats.item_models import ItemCloseRollup as ItemCloseRollup
from haochaping.stats.item_models import ItemRollup as ItemRollup
from haochaping.stats.item_models import SpotCheckRollup as SpotCheckRollup
from haochaping.stats.model_parts import (
    Grain,
    ItemCloseCounts,
    ItemCounts,
    SpotCounts,
    count,
    grain_constraints,
    org_day_index,
    ref,
)


class _RatingCounts(models.Model):
    """The rating counts of rules.Counts (in its order)."""

    level_5 = count("非常满意")
    level_4 = count("满意")
    level_3 = count("基本满意")
    level_2 = count("不满意")
    level_1 = count("非常不满意")
    default_ratings = count("默认评价")
    invalidated = count("无效评价")
    superseded = count("被替代评价")

    class Meta:
        abstract = True


class _HandlingCounts(models.Model):
    completed = count("办结办件")
    rated_real = count("已获主动评价")
    rated_default = count("仅默认评价")

    class Meta:
        abstract = True


class _OrderCounts(models.Model):
    orders = count("工单")
    voided = count("已撤销")
    closed = count("已办结")
    closed_on_time = count("按期办结")
    called_back = count("已回访")
    appealed = count("已申诉")
    appeal_upheld = count("申诉成立")

    class Meta:
        abstract = True


class EvaluationRollup(Grain, _RatingCounts):  # noqa: DJ008 (Grain's)
    channel = models.CharField("评价渠道", max_length=16, choices=CHANNEL_CHOICES)

    class Meta:
        verbose_name = "评价日汇总"
        verbose_name_plural = "评价日汇总"
        constraints = grain_constraints("stats_eval", "channel")
        indexes = [org_day_index("stats_eval")]


class HandlingRollup(Grain, _HandlingCounts):  # noqa: DJ008 (Grain's)

    class Meta:
        verbose_name = "办件日汇总"
        verbose_name_plural = "办件日汇总"
        constraints = grain_constraints("stats_handling")
        indexes = [org_day_index("stats_handling")]


class WorkOrderRollup(Grain, _OrderCounts):  # noqa: DJ008 (Grain's)
    """Bad-review orders by the day they were opened; hall, window, staff and matter come
    from the order's handling."""

    matter = ref("catalog.Matter", null=True)  # no handling: no matter
    kind = models.CharField("类型", max_length=12)

    class Meta:
        verbose_name = "工单日汇总"
        verbose_name_plural = "工单日汇总"
        constraints = grain_constraints("stats_wo", "kind")
        indexes = [org_day_index("stats_wo")]


class _Coarse(models.Model):
    """A coarse rollup, derived only from the daily rollups above (stats.rollup.derive)
    in the same transaction, so the two can never disagree. Dashboards and rankings read
    these (stats.selectors picks the coarsest table that can answer)."""

    day = models.DateField("日期（北京时间；月表为月初）")
    org = ref("catalog.Org", indexed=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} org {self.org_id}"


class _OrgCounts(_Coarse, _RatingCounts, _HandlingCounts, _OrderCounts, ItemCounts,
                 ItemCloseCounts, SpotCounts):

    class Meta:
        abstract = True


class OrgDayRollup(_OrgCounts):
    """Every count per (day, org): the daily rollups summed over hall, window, staff,
    matter, channel and kind."""

    class Meta:
        verbose_name = "机构日汇总"
        verbose_name_plural = "机构日汇总"
        # Leads with day: "one month across all orgs" reads one day range.
        constraints = [models.UniqueConstraint(fields=["day", "org"],
                                               name="stats_orgday_grain")]
        indexes = [models.Index(fields=["org", "day"], name="stats_orgday_org_day")]


class OrgMonthRollup(_OrgCounts):
    """Every count per (month, org); ``day`` is the first day of the month."""

    class Meta:
        verbose_name = "机构月汇总"
        verbose_name_plural = "机构月汇总"
        constraints = [models.UniqueConstraint(fields=["day", "org"],
                                               name="stats_orgmonth_grain")]
        indexes = [models.Index(fields=["org", "day"], name="stats_orgmonth_org_day")]


class MatterMonthRollup(_OrgCounts):
    """Every count per (month, org, matter): the dashboard's matters with most bad reviews."""

    matter = ref("catalog.Matter", null=True)

    class Meta:
        verbose_name = "事项月汇总"
        verbose_name_plural = "事项月汇总"
        constraints = [models.UniqueConstraint(fields=["day", "org", "matter"],
                                               name="stats_mattermonth_grain",
                                               nulls_distinct=False)]


class WindowMonthRollup(_OrgCounts):
    """Every count per (month, org, window): window rankings and the dashboard's windows."""

    window = ref("catalog.Window", null=True)

    class Meta:
        verbose_name = "窗口月汇总"
        verbose_name_plural = "窗口月汇总"
        constraints = [models.UniqueConstraint(fields=["day", "org", "window"],
                                               name="stats_windowmonth_grain",
                                               nulls_distinct=False)]


class ChannelMonthRollup(_Coarse, _RatingCounts):
    """Rating counts per (month, org, channel): the dashboard's channel mix."""

    channel = models.CharField("评价渠道", max_length=16, choices=CHANNEL_CHOICES)

    class Meta:
        verbose_name = "渠道月汇总"
        verbose_name_plural = "渠道月汇总"
        constraints = [models.UniqueConstraint(fields=["day", "org", "channel"],
                                               name="stats_channelmonth_grain")]


class DirtyBucket(models.Model):
    """A (day, org) bucket whose raw rows changed and whose roll-ups are not yet
    recomputed. Written only by the database triggers of ``stats.triggers``, in the
    transaction of the change (every write path: services, bulk statements, the admin);
    claimed and deleted by ``stats.services.rollup_tick``.

    ``writer`` is the writing transaction (PostgreSQL ``txid_current()``; 0 on SQLite,
    whose write transactions never overlap): each transaction leaves its own row, so a
    tick that claims a bucket can never consume the trace of a change not yet committed
    (a row keyed by the bucket alone, already present, would be), and a writer never
    waits for a tick; the unique key keeps one row per bucket and transaction however
    many rows it writes (a bulk intake, a sweep)."""

    # The triggers' INSERT … ON CONFLICT DO NOTHING: one row per bucket and writing
    # transaction, the key its only index (one index entry per rating on the hot path).
    pk = models.CompositePrimaryKey("day", "org_id", "writer")
    day = models.DateField("日期（北京时间）")
    org_id = models.BigIntegerField("机构ID")  # no foreign key: nothing to check per write
    writer = models.BigIntegerField("写入事务")

    class Meta:
        verbose_name = "待重算汇总桶"
        verbose_name_plural = "待重算汇总桶"

    def __str__(self) -> str:
        return f"{self.day} org {self.org_id}"


class RollupState(models.Model):
    """The roll-ups' state: ``watermark`` is set once every roll-up was built (the first
    tick rebuilds everything while it is empty); ``last_run_at`` and ``last_buckets``
    describe the latest incremental tick."""

    name = models.CharField("名称", max_length=32, unique=True)
    watermark = models.DateTimeField("水位", null=True, blank=True)
    last_run_at = models.DateTimeField("最近运行", null=True, blank=True)
    last_buckets = models.PositiveIntegerField("最近重算桶数", default=0)

    class Meta:
        verbose_name = "汇总水位"
        verbose_name_plural = "汇总水位"

    def __str__(self) -> str:
        return self.name


class RankingWeights(models.Model):
    """The composite ranking's weights (stats.ranking_rules.Weights), one row per
    deployment, changed only by ``stats.ranking.ranking_weights_set`` (audited). Without
    a row the defaults of ranking_rules apply."""

    name = models.CharField("名称", max_length=32, unique=True, default="default")
    satisfaction = models.PositiveSmallIntegerField("满意率权重")
    participation = models.PositiveSmallIntegerField("参评率权重")
    on_time_rectification = models.PositiveSmallIntegerField("按期整改率权重")
    bad_review = models.PositiveSmallIntegerField("差评率权重（反向）")
    complained = models.PositiveSmallIntegerField("被投诉率权重（反向）", default=0)
    item_on_time = models.PositiveSmallIntegerField("按期办结率权重", default=0)
    spot_satisfaction = models.PositiveSmallIntegerField("抽查回访满意率权重", default=0)
    min_sample = models.PositiveIntegerField("最低样本量")
    bottom_count = models.PositiveSmallIntegerField("靠后名次数")
    bottom_periods = models.PositiveSmallIntegerField("连续靠后周期数")
    updated_at = models.DateTimeField("更新时间")
    updated_by = models.ForeignKey("accounts.User", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "综合排名权重"
        verbose_name_plural = "综合排名权重"
        constraints = [models.CheckConstraint(
            condition=models.Q(satisfaction__lte=100, participation__lte=100,
                               on_time_rectification__lte=100, bad_review__lte=100),
            name="stats_rankingweights_range")]

    def __str__(self) -> str:
        return self.name


def _report_path(report: MonthlyReport, filename: str) -> str:
    return f"stats/reports/{report.period:%Y-%m}/{filename}"


class MonthlyReport(models.Model):
    """An archived monthly report (stats.reports): the files as published, with the
    SHA-256 of each so they can be shown unaltered later (seed 002 §二(四)). Written once
    by the job ``stats.monthly_reports`` and never regenerated."""

    period = models.DateField("统计月份（月初）")
    scope_org = models.ForeignKey("catalog.Org", verbose_name="范围（政务服务管理机构）",
                                  null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    generated_at = models.DateTimeField("生成时间")
    generated_by = models.CharField("生成者", max_length=100)
    xlsx = models.FileField("XLSX 文件", upload_to=_report_path, max_length=255)
    html = models.FileField("HTML 文件", upload_to=_report_path, max_length=255)
    xlsx_sha256 = models.CharField("XLSX SHA-256", max_length=64)
    html_sha256 = models.CharField("HTML SHA-256", max_length=64)

    class Meta:
        verbose_name = "月度报告"
        verbose_name_plural = "月度报告"
        # One report per (month, scope), so a second run of the job never duplicates
        # (STYLE §7); two partial indexes because NULL (whole deployment) is distinct in a
        # plain unique index on SQLite.
        constraints = [
            models.UniqueConstraint(fields=["period", "scope_org"],
                                    condition=models.Q(scope_org__isnull=False),
                                    name="stats_report_period_scope"),
            models.UniqueConstraint(fields=["period"],
                                    condition=models.Q(scope_org__isnull=True),
                                    name="stats_report_period_all"),
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} report {self.scope_org_id or 'all'}"


class RankingSnapshot(models.Model):
    """A published ranking of one ended month or quarter (stats.snapshots): the
    department ranking with the weights in force and each department's rectification
    figures, as one canonical JSON document with its SHA-256 (stats.snapshot_rules).

    Written once by the job ``stats.ranking_snapshots`` and never edited (seed 002
    §二(四)): ``save`` only inserts and a database trigger (migration 0007) refuses every
    UPDATE, so neither a change of the weights nor a later upheld appeal rewrites it."""

    period = models.CharField("统计周期", max_length=8,
                              choices=[("month", "月度"), ("quarter", "季度")])
    start = models.DateField("期间首日")
    level = models.CharField("排名对象", max_length=16, default="org")
    generated_at = models.DateTimeField("发布时间")
    generated_by = models.CharField("发布者", max_length=100)
    content = models.TextField("内容（规范化 JSON）")
    sha256 = models.CharField("SHA-256", max_length=64)

    class Meta:
        verbose_name = "排名公示快照"
        verbose_name_plural = "排名公示快照"
        constraints = [models.UniqueConstraint(fields=["period", "start", "level"],
                                               name="stats_snapshot_period_level")]

    # No UPDATE, DELETE or TRUNCATE either (guards.py, migration 0009).
    insert_only: ClassVar[InsertOnly] = SNAPSHOT_GUARD

    def __str__(self) -> str:
        return f"{self.period} {self.start:%Y-%m} {self.level}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("a published ranking snapshot is never edited")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)


class ExportApproval(models.Model):
    """The office's approval of one export that needs it (stats.export_rules): asked by
    someone outside the office with a purpose, decided once by an office user of the
    asker's subtree (never the asker), good for one download of exactly that query until
    it expires (stats.approvals). The audit log records every step."""

    kind = models.CharField("导出类型", max_length=16)
    query = models.JSONField("导出条件")
    purpose = models.CharField("用途", max_length=200)
    requester_label = models.CharField("申请人", max_length=150)
    requester_key = models.CharField("申请人标识", max_length=40)  # user:<id> | client:<id>
    org_path = models.CharField("申请人管辖范围", max_length=255)
    status = models.CharField("状态", max_length=10, default="pending", choices=[
        ("pending", "待审批"), ("approved", "已批准"), ("rejected", "已驳回"), ("used", "已使用")])
    created_at = models.DateTimeField("申请时间")
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    note = models.CharField("审批意见", max_length=200, blank=True)
    expires_at = models.DateTimeField("有效期至", null=True, blank=True)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    # The screen export to download once approved (its path and query, without
    # ``approval``); empty for requests filed through the API.
    path = models.CharField("下载地址", max_length=1000, blank=True, default="")

    class Meta:
        verbose_name = "导出审批"
        verbose_name_plural = "导出审批"
        constraints = [models.CheckConstraint(
            condition=models.Q(status__in=["pending", "approved", "rejected", "used"]),
            name="stats_exportapproval_status")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.status}"
