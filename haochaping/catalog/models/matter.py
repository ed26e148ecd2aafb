"""政务服务事项: what is delivered; one row per implementation code and version."""

from __future__ import annotations

from django.db import models

from haochaping.catalog.rules.codes import HandlingType, MatterCategory, choices


class Matter(models.Model):
    code = models.CharField("事项编码", max_length=64, db_index=True)
    impl_code = models.CharField("实施编码", max_length=64)
    version = models.CharField("版本", max_length=16, default="1")
    name = models.CharField("事项名称", max_length=200)
    category = models.CharField("事项类型", max_length=20, choices=choices(MatterCategory))
    org = models.ForeignKey("catalog.Org", verbose_name="实施部门", on_delete=models.PROTECT,
                            related_name="matters")
    handling_type = models.CharField("办件类型", max_length=16, choices=choices(HandlingType),
                                     default=HandlingType.PROMISED.value)
    promised_days = models.PositiveIntegerField("承诺时限（工作日）", default=0)
    legal_days = models.PositiveIntegerField("法定时限（工作日）", null=True, blank=True)
    online_available = models.BooleanField("可网上办理", default=False)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "政务服务事项"
        verbose_name_plural = "政务服务事项"
        ordering = ["impl_code", "version"]
        constraints = [
            # Handlings reference a matter by (implementation code, version).
            models.UniqueConstraint(fields=["impl_code", "version"], name="matter_impl_version"),
            models.CheckConstraint(
                condition=models.Q(category__in=[c.value for c in MatterCategory]),
                name="matter_category_valid"),
        ]

    def __str__(self) -> str:
        return self.name
