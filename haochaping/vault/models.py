"""评价人 (raters): real-name applicants, held in the PII vault."""

from __future__ import annotations

from django.db import models

APPLICANT_KIND_CHOICES = [
    ("1", "自然人"), ("2", "企业法人"), ("3", "事业法人"), ("4", "社会组织法人"),
    ("5", "非法人企业"), ("6", "行政机关"), ("9", "其他组织"),
]


class Rater(models.Model):
    """评价人: a real-name applicant. Identity is held only as ciphertext (vault), masks
    for display, and keyed blind indexes (HMAC) for look-up by ID number or phone.

    Nothing here is readable without the field keys; unmasked reads go through
    ``vault`` services, which check the role and write an audit row.
    """

    kind = models.CharField("申请人类型", max_length=2, choices=APPLICANT_KIND_CHOICES)
    id_type = models.CharField("证件类型", max_length=8, default="111")
    # Identity of the rater for de-duplication: HMAC over kind, id type and number (or the
    # phone when no number is given). Unique so concurrent intakes cannot split a rater.
    # Unique through Meta.constraints, and the look-up columns indexed through
    # Meta.indexes: a field's unique=True / db_index=True would add a second, useless
    # LIKE (varchar_pattern_ops) index on PostgreSQL to every insert.
    identity_index = models.CharField("身份索引", max_length=64)
    id_no_index = models.CharField("证件号索引", max_length=64, blank=True)
    phone_index = models.CharField("手机号索引", max_length=64, blank=True)
    name_cipher = models.TextField("姓名密文")
    id_no_cipher = models.TextField("证件号密文", blank=True)
    phone_cipher = models.TextField("手机号密文", blank=True)
    name_masked = models.CharField("姓名（脱敏）", max_length=64)
    id_no_masked = models.CharField("证件号（脱敏）", max_length=32, blank=True)
    phone_masked = models.CharField("手机号（脱敏）", max_length=20, blank=True)
    key_id = models.CharField("密钥编号", max_length=32)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # Set when the retention purge erased the identity (vault.purge): ciphers and blind
    # indexes emptied, masks replaced by 已清除; the row stays, so every rating, handling
    # and statistic that points at it is unchanged.
    purged_at = models.DateTimeField("信息清除时间", null=True, blank=True)

    class Meta:
        # Defined here, in the vault that owns it, but still labelled as a handlings model
        # so its table (handlings_rater), its migrations and every foreign key to
        # "handlings.Rater" stay as they are (docs/architecture.md, "Moved modules").
        app_label = "handlings"
        verbose_name = "评价人"
        verbose_name_plural = "评价人"
        constraints = [
            models.UniqueConstraint(fields=["identity_index"], name="rater_identity_unique"),
        ]
        indexes = [
            models.Index(fields=["id_no_index"], name="rater_id_no_index"),
            models.Index(fields=["phone_index"], name="rater_phone_index"),
            models.Index(fields=["key_id"], name="rater_key_id"),
        ]

    def __str__(self) -> str:
        return self.name_masked


ACCESS_KINDS = [("reveal", "查看身份"), ("relay", "隐私号通话")]


class IdentityAccess(models.Model):
    """Who reached a rater's personal data, for what and when (docs/privacy.md): every
    unmasked reveal and every privacy-number call binding. Insert-only (written by
    ``vault.access``). The rater reads their own rows (org and role, never the staff
    member's name); the office reads them to watch for unusual patterns.

    ``subject`` names what the access was for (``workorder:<pk>``, ``submission:<pk>``,
    ``handling:<pk>``): a reveal is allowed once per subject and person (the partial
    unique constraint), a second one is refused."""

    KINDS = ACCESS_KINDS
    rater = models.ForeignKey(Rater, verbose_name="评价人", on_delete=models.PROTECT,
                              related_name="accesses")
    kind = models.CharField("方式", max_length=8, choices=ACCESS_KINDS)
    subject = models.CharField("事由对象", max_length=64)
    actor = models.ForeignKey("accounts.User", verbose_name="查看人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField("查看人角色", max_length=20, blank=True)
    org = models.ForeignKey("catalog.Org", verbose_name="查看人机构", null=True, blank=True,
                            on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField("机构路径", max_length=255, blank=True)
    purpose = models.CharField("用途", max_length=200)
    fields = models.JSONField("查看字段", default=list)
    at = models.DateTimeField("时间")

    class Meta:
        app_label = "vault"
        verbose_name = "个人信息访问记录"
        verbose_name_plural = "个人信息访问记录"
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["reveal", "relay"]),
                                   name="identity_access_kind_valid"),
            models.UniqueConstraint(fields=["subject", "actor"],
                                    condition=models.Q(kind="reveal"),
                                    name="identity_reveal_once"),
        ]
        indexes = [
            models.Index(fields=["rater", "at"], name="identity_access_rater"),
            models.Index(fields=["actor", "at"], name="identity_access_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} by {self.actor_id}"


ALERT_RULES = [("daily", "单日查看过多"), ("hours", "非工作时间查看")]


class AccessAlert(models.Model):
    """An unusual pattern of reveals (``vault.access_rules``) told to the office: once
    per person, rule and local day (unique), listed on the office's work-order console
    and logged as a security event."""

    RULES = ALERT_RULES
    actor = models.ForeignKey("accounts.User", verbose_name="查看人",
                              on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey("catalog.Org", verbose_name="查看人机构", null=True, blank=True,
                            on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField("机构路径", max_length=255, blank=True)
    rule = models.CharField("规则", max_length=8, choices=ALERT_RULES)
    day = models.DateField("日期")
    text = models.CharField("内容", max_length=200)
    at = models.DateTimeField("时间")

    class Meta:
        app_label = "vault"
        verbose_name = "身份查看异常提醒"
        verbose_name_plural = "身份查看异常提醒"
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["actor", "rule", "day"], name="access_alert_once"),
        ]
        indexes = [models.Index(fields=["org_path", "at"], name="access_alert_org")]

    def __str__(self) -> str:
        return f"{self.rule} {self.actor_id} {self.day}"
