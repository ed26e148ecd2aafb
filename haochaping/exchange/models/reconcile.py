"""The daily reconciliation (对账): one run per (remote, day), one check per (org, kind) of
it, written by ``exchange.reconciling`` and read by the report (``reconcile_selectors``).
The verdicts are ``rules.reconcile``'s."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from haochaping.exchange.models.outbox import KIND_CHOICES
from haochaping.exchange.rules import reconcile as rules

VERDICT_CHOICES = [(v.value, label) for v, label in rules.VERDICT_LABELS.items()]
# How the remote's side of a check was learnt.
BASIS_ORG = "org"  # asked for this org
BASIS_TOTAL = "total"  # the remote's answer for every org at once equalled ours
BASIS_NONE = "none"  # the profile has no count endpoint: sent vs acked only
BASIS_UNASKED = "unasked"  # the remote could not be asked (未能核对)
BASIS_CHOICES = [(BASIS_ORG, "按机构核对"), (BASIS_TOTAL, "按全部机构合计核对"),
                 (BASIS_NONE, "平台无对账接口，仅核对本地"), (BASIS_UNASKED, "未能询问平台")]


class ReconcileRun(models.Model):
    """The reconciliation of one remote's records of one Shanghai day: its latest run."""

    remote = models.ForeignKey("exchange.Remote", verbose_name="对接平台",
                               on_delete=models.CASCADE, related_name="reconcile_runs",
                               db_index=False)
    day = models.DateField("业务日期（北京时间）")
    # When the job checks this day (again): the day after it plus the settle hours at
    # first; then a day later while it has differences; a back-off while the remote
    # cannot be asked; null once settled (rules.reconcile.next_check).
    next_check_at = models.DateTimeField("下次核对", null=True, blank=True)
    checked_at = models.DateTimeField("核对时间", null=True, blank=True)
    runs = models.PositiveIntegerField("核对次数", default=0)
    failures = models.PositiveSmallIntegerField("连续未能核对次数", default=0)
    error = models.TextField("未能核对原因", blank=True)
    has_count_endpoint = models.BooleanField("平台有对账接口", default=True)
    differences = models.PositiveIntegerField("差异项数", default=0)
    unchecked = models.BooleanField("未能核对", default=False)
    resent_at = models.DateTimeField("最近重新上报", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "对账"
        constraints = [
            # One run per remote and day: the job's "create yesterday's run" is idempotent.
            models.UniqueConstraint(fields=["remote", "day"], name="exchange_recon_run_once"),
        ]
        indexes = [
            # The periodic job's due runs (exchange.reconcile).
            models.Index(fields=["next_check_at"], name="exchange_recon_due",
                         condition=Q(next_check_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.remote_id}:{self.day}"


class ReconcileCheck(models.Model):
    """One (org, kind) of a run: our counts and digest beside the remote's. ``org`` null:
    what the remote holds for orgs of which we sent nothing that day (the remainder of
    its every-org answer)."""

    run = models.ForeignKey(ReconcileRun, verbose_name="对账", on_delete=models.CASCADE,
                            related_name="checks", db_index=False)
    org = models.ForeignKey("catalog.Org", verbose_name="机构", null=True, blank=True,
                            on_delete=models.DO_NOTHING, related_name="+",
                            db_constraint=False, db_index=False)
    org_code = models.CharField("机构代码", max_length=40, blank=True)
    kind = models.CharField("类型", max_length=12, choices=KIND_CHOICES)
    sent = models.PositiveIntegerField("应报", default=0)
    acked = models.PositiveIntegerField("已确认", default=0)
    waiting = models.PositiveIntegerField("待上报", default=0)
    failed = models.PositiveIntegerField("拒收或死信", default=0)
    our_digest = models.CharField("本地摘要", max_length=64, blank=True)
    remote_count = models.PositiveIntegerField("平台条数", null=True, blank=True)
    remote_digest = models.CharField("平台摘要", max_length=64, blank=True)
    basis = models.CharField("核对方式", max_length=8, choices=BASIS_CHOICES)
    verdict = models.CharField("结果", max_length=10, choices=VERDICT_CHOICES)
    # The acked keys the remote is known not to hold (a profile listing its keys); null
    # when a difference leaves every acked key of the group uncertain.
    missing_keys = models.JSONField("平台缺少的幂等键", null=True, blank=True)
    checked_at = models.DateTimeField("核对时间")

    class Meta:
        verbose_name = verbose_name_plural = "对账明细"
        constraints = [
            models.CheckConstraint(condition=Q(verdict__in=[v.value for v in rules.Verdict]),
                                   name="exchange_recon_verdict_valid"),
            # The report reads a run's checks; one per org and kind (and one remainder per
            # kind), on SQLite too (two partial constraints: NULLs never collide).
            models.UniqueConstraint(fields=["run", "org", "kind"], name="exchange_recon_once",
                                    condition=Q(org__isnull=False)),
            models.UniqueConstraint(fields=["run", "kind"], name="exchange_recon_rest_once",
                                    condition=Q(org__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.org_id}:{self.kind}"

    @property
    def verdict_label(self) -> str:
        return rules.VERDICT_LABELS[rules.Verdict(self.verdict)]

    @property
    def is_difference(self) -> bool:
        return rules.Verdict(self.verdict) in rules.DIFFERENCES
