"""Regions, orgs, halls, windows and staff: who provides a service, and where."""

from __future__ import annotations

from django.db import models

from haochaping.catalog.rules.codes import AdminLevel, OrgKind, choices


class Region(models.Model):
    """行政区划: 12-digit administrative code, a tree."""

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=16, choices=choices(AdminLevel))
    parent = models.ForeignKey("self", verbose_name="上级区划", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    # Materialised path of codes; subtree queries (statistics by region) use a prefix match.
    path = models.CharField("路径", max_length=200, db_index=True, editable=False)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(code__regex=r"^[0-9]{12}$"),
                                   name="region_code_12_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Org(models.Model):
    """政务服务机构 / 部门: a tree of supervising offices and handling departments."""

    code = models.CharField("机构编码", max_length=32, unique=True,
                            help_text="统一社会信用代码或本地机构编码")
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=50, blank=True)
    kind = models.CharField("类型", max_length=16, choices=choices(OrgKind))
    level = models.CharField("层级", max_length=16, choices=choices(AdminLevel))
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT,
                               related_name="orgs")
    parent = models.ForeignKey("self", verbose_name="上级机构", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    # Materialised path of codes ("/a/b/c/"); the org-subtree scope of every selector and
    # every statistics roll-up is a prefix match on this indexed column.
    path = models.CharField("路径", max_length=512, db_index=True, editable=False)
    is_active = models.BooleanField("启用", default=True)
    sort = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "机构"
        verbose_name_plural = "机构"
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=[k.value for k in OrgKind]),
                                   name="org_kind_valid"),
            models.CheckConstraint(condition=models.Q(level__in=[v.value for v in AdminLevel]),
                                   name="org_level_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Hall(models.Model):
    """政务服务大厅 / 便民服务站点."""

    code = models.CharField("大厅编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    org = models.ForeignKey(Org, verbose_name="管理机构", on_delete=models.PROTECT,
                            related_name="halls")
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT,
                               related_name="halls")
    level = models.CharField("层级", max_length=16, choices=choices(AdminLevel))
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("咨询电话", max_length=32, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "大厅"
        verbose_name_plural = "大厅"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Window(models.Model):
    """服务窗口: where a department serves in a hall; carries an evaluator pad."""

    code = models.CharField("窗口编码", max_length=32, unique=True)
    number = models.CharField("窗口号", max_length=16)
    name = models.CharField("名称", max_length=100)
    hall = models.ForeignKey(Hall, verbose_name="所属大厅", on_delete=models.PROTECT,
                             related_name="windows")
    org = models.ForeignKey(Org, verbose_name="进驻部门", on_delete=models.PROTECT,
                            related_name="windows")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "窗口"
        verbose_name_plural = "窗口"
        ordering = ["hall_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="window_number_per_hall"),
        ]

    def __str__(self) -> str:
        return f"{self.number}号窗口 {self.name}"


class Staff(models.Model):
    """工作人员: the person who is rated; separate from login users (accounts.User)."""

    staff_no = models.CharField("工号", max_length=32, unique=True)
    name = models.CharField("姓名", max_length=50)
    org = models.ForeignKey(Org, verbose_name="所属部门", on_delete=models.PROTECT,
                            related_name="staff")
    window = models.ForeignKey(Window, verbose_name="当前窗口", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="staff")
    photo = models.FileField("照片", upload_to="staff/", blank=True)
    title = models.CharField("岗位", max_length=50, blank=True)
    is_active = models.BooleanField("在岗", default=True)

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = "工作人员"
        ordering = ["staff_no"]

    def __str__(self) -> str:
        return f"{self.name}（{self.staff_no}）"
