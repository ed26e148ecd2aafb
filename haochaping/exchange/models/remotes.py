"""The remote platforms we exchange with, and the profiles an office adds without code."""

from __future__ import annotations

from django.db import models


class ProfileDoc(models.Model):
    """An exchange profile added by an office (field names, code tables, formats, signing)
    as data; the shipped profiles live in ``exchange/profiles/*.json``. The body is checked
    by ``rules.profiles`` before it is saved; a doc with a shipped profile's name replaces
    it for this deployment."""

    name = models.SlugField("名称", max_length=40, unique=True)
    label = models.CharField("说明", max_length=100)
    body = models.JSONField("配置")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "对接规范"

    def __str__(self) -> str:
        return f"{self.label}（{self.name}）"


class Remote(models.Model):
    """One remote platform (the provincial platform, the national one, a legacy system).

    Keys never live here: ``key_env`` names the environment variables that hold them
    (``HCP_EXCHANGE_<KEY_ENV>_…``, docs/exchange.md), so they rotate without a migration.
    """

    name = models.SlugField("标识", max_length=40, unique=True)
    label = models.CharField("名称", max_length=100)
    profile = models.CharField("对接规范", max_length=40)
    base_url = models.URLField("接口地址", max_length=300)
    key_env = models.CharField("密钥环境变量", max_length=40)
    is_active = models.BooleanField("启用", default=True)
    kinds = models.JSONField("上报类型", default=list, blank=True,
                             help_text="为空表示该规范支持的全部类型")
    batch_size = models.PositiveSmallIntegerField("每批条数", default=100)
    rate_per_second = models.PositiveIntegerField("每秒请求上限", default=20)
    timeout_seconds = models.PositiveSmallIntegerField("超时（秒）", default=10)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "对接平台"

    def __str__(self) -> str:
        return self.label
