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
