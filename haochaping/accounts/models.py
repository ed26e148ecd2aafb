"""Login users (staff of the offices) and API clients (business systems, devices)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from haochaping.accounts.roles import ADMIN_ROLES, ROLE_CHOICES, Role


class HcpUserManager(UserManager["User"]):
    """``createsuperuser`` makes a system admin (the only role allowed without an org)."""

    def create_superuser(self, username: str, email: str | None = None,
                         password: str | None = None, **extra_fields: Any) -> User:
        extra_fields.setdefault("role", Role.SYSTEM_ADMIN.value)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in. Distinct from ``catalog.Staff``, the person who is rated;
    a window-staff login links to its Staff row so selectors can hide what is about them.
    """

    role = models.CharField("角色", max_length=20, choices=ROLE_CHOICES,
                            default=Role.WINDOW_STAFF.value)
    org = models.ForeignKey("catalog.Org", verbose_name="所属机构", null=True, blank=True,
                            on_delete=models.PROTECT, related_name="users")
    staff = models.OneToOneField("catalog.Staff", verbose_name="对应工作人员", null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="user")
    phone = models.CharField("手机号", max_length=20, blank=True)
    # Set by validators.PasswordHistoryValidator whenever the password changes; the
    # password-age rule (authpolicy.password_expired) reads it.
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    objects: ClassVar[HcpUserManager] = HcpUserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=[r.value for r in Role]),
                                   name="user_role_valid"),
            # Everyone but the three administrators works inside an org subtree.
            models.CheckConstraint(
                condition=models.Q(role__in=sorted(r.value for r in ADMIN_ROLES))
                | models.Q(org__isnull=False),
                name="user_org_required_unless_admin"),
        ]


class ApiClient(models.Model):
    """A business system or device calling the API with a key.

    Keys are shown once at creation/rotation and stored as SHA-256 hashes; ``key_prefix``
    (the first characters, public) finds the row. During rotation the previous key stays
    valid until ``previous_valid_until`` so a client can switch without downtime.
    """

    name = models.CharField("名称", max_length=100)
    org = models.ForeignKey("catalog.Org", verbose_name="所属机构", on_delete=models.PROTECT,
                            related_name="api_clients")
    scopes = models.JSONField("权限范围", default=list)
    key_prefix = models.CharField("密钥前缀", max_length=16, unique=True)
    key_hash = models.CharField("密钥摘要", max_length=64)
    previous_key_prefix = models.CharField("旧密钥前缀", max_length=16, blank=True,
                                           db_index=True)
    previous_key_hash = models.CharField("旧密钥摘要", max_length=64, blank=True)
    previous_valid_until = models.DateTimeField("旧密钥有效期至", null=True, blank=True)
    rate_limit_per_minute = models.PositiveIntegerField("每分钟请求上限", default=600)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    rotated_at = models.DateTimeField("轮换时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "接口客户端"
        verbose_name_plural = "接口客户端"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PasswordHistory(models.Model):
    """The hashes of a user's recent passwords (``validators.PasswordHistoryValidator``):
    a new password may not repeat one of the last ``HCP_PASSWORD_HISTORY``."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField("密码摘要", max_length=128)
    created_at = models.DateTimeField("设置时间")

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.created_at:%Y-%m-%d}"
