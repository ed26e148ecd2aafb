"""Evaluation standards as versioned data (NATIONAL.md, seed 003 §6).

Exactly one version is active; an evaluation keeps a reference to the version it was made
with, so retired content-item codes (501–509, 101–107 …) stay readable.
"""

from __future__ import annotations

from django.db import models

CHANNEL_GROUP_CHOICES = [("online", "线上"), ("offline", "线下")]
LEVEL_CHOICES = [(5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")]


class StandardVersion(models.Model):
    code = models.CharField("版本编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    valid_from = models.DateField("启用日期")
    valid_to = models.DateField("停用日期", null=True, blank=True)
    is_active = models.BooleanField("当前版本", default=False)

    class Meta:
        verbose_name = "评价标准版本"
        verbose_name_plural = "评价标准版本"
        ordering = ["-valid_from"]
        constraints = [
            # Evaluation intake reads "the active version": there is exactly one.
            models.UniqueConstraint(fields=["is_active"], condition=models.Q(is_active=True),
                                    name="one_active_standard"),
        ]

    def __str__(self) -> str:
        return self.name


class ContentItem(models.Model):
    """评价内容 (evalDetail): per-level items with their national codes."""

    version = models.ForeignKey(StandardVersion, verbose_name="标准版本",
                                on_delete=models.PROTECT, related_name="content_items")
    level = models.PositiveSmallIntegerField("评价等级", choices=LEVEL_CHOICES)
    code = models.CharField("国家编码", max_length=8)
    text = models.CharField("内容", max_length=100)
    sort = models.PositiveSmallIntegerField("排序", default=0)
    shown_by_default = models.BooleanField("默认展示", default=False,
                                           help_text="前三项默认展示，其余在“更多”中")

    class Meta:
        verbose_name = "评价内容项"
        verbose_name_plural = "评价内容项"
        ordering = ["version_id", "-level", "sort"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="content_item_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class Indicator(models.Model):
    """分项评价指标 per channel group (online / offline)."""

    version = models.ForeignKey(StandardVersion, verbose_name="标准版本",
                                on_delete=models.PROTECT, related_name="indicators")
    channel_group = models.CharField("渠道类别", max_length=8, choices=CHANNEL_GROUP_CHOICES)
    code = models.CharField("指标编码", max_length=32)
    name = models.CharField("指标名称", max_length=50)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "分项指标"
        verbose_name_plural = "分项指标"
        ordering = ["version_id", "channel_group", "sort"]
        constraints = [
            models.UniqueConstraint(fields=["version", "channel_group", "code"],
                                    name="indicator_code"),
        ]

    def __str__(self) -> str:
        return self.name


class BadReason(models.Model):
    """Listed bad-review reasons a rater may pick (seed 003 §7)."""

    version = models.ForeignKey(StandardVersion, verbose_name="标准版本",
                                on_delete=models.PROTECT, related_name="bad_reasons")
    code = models.CharField("原因编码", max_length=16)
    text = models.CharField("原因", max_length=100)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "差评原因"
        verbose_name_plural = "差评原因"
        ordering = ["version_id", "sort"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="bad_reason_code"),
        ]

    def __str__(self) -> str:
        return self.text
