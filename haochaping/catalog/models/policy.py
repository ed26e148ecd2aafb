"""Policy overrides and working-day calendar overrides, edited by the office."""

from __future__ import annotations

from django.db import models


class PolicyOverride(models.Model):
    """One policy value overridden for an org subtree (org empty = the whole deployment).

    ``key`` is a field name of ``catalog.rules.policies.Policy``; ``value`` is JSON and
    is validated by the policy service before it is stored.
    """

    org = models.ForeignKey("catalog.Org", verbose_name="适用机构（含下级）", null=True,
                            blank=True, on_delete=models.CASCADE,
                            related_name="policy_overrides")
    key = models.CharField("政策项", max_length=64)
    value = models.JSONField("取值")
    note = models.CharField("依据 / 说明", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "政策覆盖"
        verbose_name_plural = "政策覆盖"
        ordering = ["org_id", "key"]
        constraints = [
            # One value per key and org subtree, and one deployment-wide value per key
            # (two partial constraints: SQLite has no NULLS NOT DISTINCT).
            models.UniqueConstraint(fields=["org", "key"], condition=models.Q(org__isnull=False),
                                    name="policy_override_per_org"),
            models.UniqueConstraint(fields=["key"], condition=models.Q(org__isnull=True),
                                    name="policy_override_deployment_wide"),
        ]

    def __str__(self) -> str:
        return f"{self.org or '全局'}: {self.key}"


class CalendarOverride(models.Model):
    """An office-edited day: a holiday or a make-up working day the package lacks."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=100, blank=True)

    class Meta:
        verbose_name = "工作日历调整"
        verbose_name_plural = "工作日历调整"
        ordering = ["date"]

    def __str__(self) -> str:
        kind = "工作日" if self.is_workday else "休息日"
        return f"{self.date} {kind}"
