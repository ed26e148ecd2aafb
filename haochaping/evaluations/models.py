"""评价 (evaluations), invitations, evaluator devices and phone challenges.

Evaluations are insert-only in their content. Two lifecycle markers are set once each by
services and never cleared: ``is_current``/``superseded_at`` when a newer rating of the same
handling (or of the same stage of it) arrives (seed 003 §10), and ``invalidated_at`` when an
appeal is upheld (seed 003 §23). Statistics read current, valid rows.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models

from haochaping.catalog.rules.standards import BAD_LEVEL_MAX, Channel
from haochaping.core.records import InsertOnly
from haochaping.evaluations.guards import EVALUATION_GUARD

LEVEL_CHOICES = [(5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")]
CHANNEL_CHOICES = [(c.value, c.label) for c in Channel]
INVITATION_CHANNEL_CHOICES = [("link", "链接"), ("sms", "短信"), ("qr_code", "二维码")]
# A four-key pad (四键评价器) has four physical keys and no screen for content items or
# reasons: its ratings are degraded (docs/devices.md, evaluations.devices.rules).
DEVICE_KIND_CHOICES = [("evaluator", "评价器"), ("kiosk", "自助终端"), ("four_key", "四键评价器")]


class Evaluation(models.Model):
    public_id = models.UUIDField("评价编号", default=uuid.uuid4, unique=True, editable=False)
    handling = models.ForeignKey("handlings.Handling", verbose_name="办件",
                                 on_delete=models.PROTECT, related_name="evaluations")
    rater = models.ForeignKey("handlings.Rater", verbose_name="评价人",
                              on_delete=models.PROTECT, related_name="evaluations")
    # Copied from the handling at insert time (immutable facts) so statistics and
    # drill-downs need no join back to handlings.
    org = models.ForeignKey("catalog.Org", verbose_name="被评价部门", on_delete=models.PROTECT,
                            related_name="evaluations")
    matter = models.ForeignKey("catalog.Matter", verbose_name="事项", on_delete=models.PROTECT,
                               related_name="evaluations")
    hall = models.ForeignKey("catalog.Hall", verbose_name="大厅", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="evaluations")
    window = models.ForeignKey("catalog.Window", verbose_name="窗口", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="evaluations")
    staff = models.ForeignKey("catalog.Staff", verbose_name="工作人员", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="evaluations")
    # The stage (环节) rated (seed 002 二(三)); null: the handling as a whole (办结), as
    # every rating was before stages. Hall, window and staff above are then the stage's
    # when it names them. No index of its own: one_current_stage_evaluation leads with it.
    stage = models.ForeignKey("handlings.HandlingStage", verbose_name="评价环节", null=True,
                              blank=True, on_delete=models.PROTECT, related_name="evaluations",
                              db_index=False)
    level = models.PositiveSmallIntegerField("评价等级", choices=LEVEL_CHOICES)
    item_levels = models.JSONField("分项评价", default=dict)
    content_codes = models.JSONField("评价内容", default=list)
    reason_codes = models.JSONField("差评原因", default=list)
    text = models.TextField("文字评价", blank=True)
    channel = models.CharField("评价渠道", max_length=16, choices=CHANNEL_CHOICES)
    # No index on the five references below: nothing lists ratings by them, and each
    # index costs every rating an insert (a PROTECT check on deleting one of these rare
    # rows scans instead).
    standard_version = models.ForeignKey("catalog.StandardVersion", verbose_name="评价标准",
                                         on_delete=models.PROTECT, related_name="+",
                                         db_index=False)
    is_default = models.BooleanField("系统默认评价", default=False)
    assess_number = models.PositiveSmallIntegerField("评价次序", default=1,
                                                     help_text="1 首次评价，2 追加评价")
    batch_no = models.CharField("批次号", max_length=64, blank=True)
    invitation = models.ForeignKey("evaluations.Invitation", verbose_name="邀请", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+",
                                   db_index=False)
    client = models.ForeignKey("accounts.ApiClient", verbose_name="提交系统", null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    device = models.ForeignKey("evaluations.Device", verbose_name="评价设备", null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    # From a device that cannot give five levels or reasons (a four-key pad): the level
    # comes from the key table of evaluations.devices.rules, the reason from the call-back.
    # db_default too, so the bulk writers that name their columns need not list it.
    degraded = models.BooleanField("降级设备评价（四键）", default=False, db_default=False)
    # The legacy satisfaction system a rating was imported from (seeds 000/001/002: merge
    # existing satisfaction ratings); empty for ratings given here.
    legacy_source = models.CharField("来源系统（历史满意度系统）", max_length=64, blank=True,
                                     default="", db_default="")
    entered_by = models.ForeignKey("accounts.User", verbose_name="录入人（电话邀约）",
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", db_index=False)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    user_agent = models.CharField("User-Agent", max_length=300, blank=True)
    created_at = models.DateTimeField("评价时间", db_index=True)
    is_current = models.BooleanField("当前有效评价", default=True)
    superseded_at = models.DateTimeField("被替代时间", null=True, blank=True)
    invalidated_at = models.DateTimeField("作废时间", null=True, blank=True)
    invalid_reason = models.CharField("作废原因", max_length=200, blank=True)
    # The privacy notice its rater was shown (core.privacy): the current version, or
    # remote / legacy / none / unknown. No default: every insert names it (constraint).
    notice_version = models.CharField("隐私告知版本", max_length=16)

    # Database triggers refuse every other change, any DELETE and TRUNCATE (guards.py).
    insert_only: ClassVar[InsertOnly] = EVALUATION_GUARD

    class Meta:
        verbose_name = "评价"
        verbose_name_plural = "评价"
        constraints = [
            # One current rating per handling as a whole; a concurrent second insert fails
            # here. It also serves the rating's locking read (its LEFT JOIN on the current
            # rating of the handling, evaluations.locking).
            models.UniqueConstraint(fields=["handling"],
                                    condition=models.Q(is_current=True, stage__isnull=True),
                                    name="one_current_evaluation"),
            # One current rating per stage of a handling (a stage row is one handling's).
            models.UniqueConstraint(fields=["stage"],
                                    condition=models.Q(is_current=True, stage__isnull=False),
                                    name="one_current_stage_evaluation"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5),
                                   name="evaluation_level_1_5"),
            models.CheckConstraint(
                condition=models.Q(channel__in=[c.value for c in Channel]),
                name="evaluation_channel_valid"),
            models.CheckConstraint(condition=~models.Q(notice_version=""),
                                   name="evaluation_notice_version_set"),
        ]
        indexes = [
            # Bad-review drill-downs read only current, valid 差评 (issue 5: partial index).
            models.Index(fields=["org", "created_at"], name="evaluation_bad_org",
                         condition=models.Q(level__lte=BAD_LEVEL_MAX, is_current=True,
                                            invalidated_at__isnull=True)),
            # The roll-up job's "changed since" look-up (stats.rollup.touched): small,
            # as a new rating has neither marker and so no entry.
            models.Index(fields=["superseded_at"], name="evaluation_superseded",
                         condition=models.Q(superseded_at__isnull=False)),
            models.Index(fields=["invalidated_at"], name="evaluation_invalidated",
                         condition=models.Q(invalidated_at__isnull=False)),
            # The statistics' breakdown by stage (stats.stages) reads the stage ratings of
            # a period: small, as most ratings rate the handling and have no entry.
            models.Index(fields=["created_at"], name="evaluation_stage_day",
                         condition=models.Q(stage__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.handling_id}: {self.level}"


class Invitation(models.Model):
    """A signed, expiring invitation to rate one handling or a whole batch.

    The token carries ``token_id`` and the expiry, signed with HMAC; the row makes it
    single-use (``used_at``) and binds it to its handling or batch.
    """

    token_id = models.CharField("令牌编号", max_length=32, unique=True)
    handling = models.ForeignKey("handlings.Handling", verbose_name="办件", null=True,
                                 blank=True, on_delete=models.PROTECT,
                                 related_name="invitations")
    batch_no = models.CharField("批次号", max_length=64, blank=True)
    # A batch number is the business system's own: a batch invitation covers the batch
    # of this client only (two systems may both number a batch "B-1" for one rater).
    client = models.ForeignKey("accounts.ApiClient", verbose_name="批次所属业务系统",
                               null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", db_index=False)
    rater = models.ForeignKey("handlings.Rater", verbose_name="评价人",
                              on_delete=models.PROTECT, related_name="invitations")
    channel = models.CharField("邀请方式", max_length=8, choices=INVITATION_CHANNEL_CHOICES)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("过期时间")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "评价邀请"
        verbose_name_plural = "评价邀请"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(handling__isnull=False) | ~models.Q(batch_no=""),
                name="invitation_has_subject"),
        ]

    def __str__(self) -> str:
        return self.token_id


class Device(models.Model):
    """An evaluator pad (评价器) or self-service kiosk bound to one window by a device key."""

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=12, choices=DEVICE_KIND_CHOICES)
    window = models.ForeignKey("catalog.Window", verbose_name="窗口", on_delete=models.PROTECT,
                               related_name="devices")
    key_prefix = models.CharField("密钥前缀", max_length=16, unique=True)
    key_hash = models.CharField("密钥摘要", max_length=64)
    # The whole device key sealed by the field vault: the device interface verifies the
    # HMAC a device signs with its key (docs/devices.md), so the server needs the key, not
    # only its hash. Empty for devices registered before the interface: re-key them.
    key_sealed = models.TextField("密钥（加密）", blank=True, default="", db_default="")
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_seen_at = models.DateTimeField("最近在线", null=True, blank=True)
    agent = models.CharField("设备型号/版本", max_length=100, blank=True, default="",
                             db_default="")

    class Meta:
        verbose_name = "评价设备"
        verbose_name_plural = "评价设备"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[k for k, _ in DEVICE_KIND_CHOICES]),
                name="device_kind_valid"),
        ]
        # No index on last_seen_at: every heartbeat updates it (an index would cost each
        # one), and the offline list reads the devices of a subtree, a few thousand rows.

    def __str__(self) -> str:
        return self.name


class DeviceNonce(models.Model):
    """A nonce a device signed a request with, kept while its timestamp could still be
    accepted (docs/devices.md): a second request with it is a replay."""

    device = models.ForeignKey(Device, verbose_name="设备", on_delete=models.CASCADE,
                               related_name="+", db_index=False)
    nonce = models.CharField("随机串", max_length=64)
    seen_at = models.DateTimeField("收到时间")

    class Meta:
        verbose_name = "设备请求随机串"
        verbose_name_plural = "设备请求随机串"
        constraints = [
            # The replay check: a second insert of the same nonce fails here, on any
            # number of web processes and on SQLite too. Also serves the pruning delete
            # (device_id, seen_at < cutoff).
            models.UniqueConstraint(fields=["device", "nonce"], name="device_nonce_once"),
        ]

    def __str__(self) -> str:
        return self.nonce


LEGACY_VIA_CHOICES = [("file", "文件"), ("api", "接口"), ("command", "命令行")]


class LegacyImport(models.Model):
    """One import of a legacy satisfaction system's ratings (a file or an API call), with
    its per-row report; dry runs leave no row."""

    source = models.CharField("来源系统", max_length=64)
    via = models.CharField("导入方式", max_length=8, choices=LEGACY_VIA_CHOICES)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    sha256 = models.CharField("文件摘要", max_length=64, blank=True)
    actor_label = models.CharField("导入人", max_length=150)
    user = models.ForeignKey("accounts.User", verbose_name="导入账号", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+", db_index=False)
    client = models.ForeignKey("accounts.ApiClient", verbose_name="接口客户端", null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    # The importing actor's org subtree ("" = the whole deployment): who may read it.
    scope_path = models.CharField("机构范围", max_length=500, blank=True)
    created_at = models.DateTimeField("导入时间")
    rows = models.PositiveIntegerField("行数", default=0)
    created = models.PositiveIntegerField("新增", default=0)
    duplicate = models.PositiveIntegerField("重复", default=0)
    unknown = models.PositiveIntegerField("办件不存在", default=0)
    invalid = models.PositiveIntegerField("无效", default=0)
    # The rows not created: [{row, outcome, code, message, proj_no}]
    report = models.JSONField("明细", default=list)

    class Meta:
        verbose_name = "历史满意度评价导入"
        verbose_name_plural = "历史满意度评价导入"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(via__in=[v for v, _ in LEGACY_VIA_CHOICES]),
                name="legacy_import_via_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.created_at:%Y-%m-%d %H:%M}"


class LegacyRating(models.Model):
    """A legacy rating taken into the record: its source's own key (unique per source, so
    importing it again is reported as a duplicate) and the evaluation it became."""

    source = models.CharField("来源系统", max_length=64)
    legacy_key = models.CharField("原系统评价编号", max_length=200)
    batch = models.ForeignKey(LegacyImport, verbose_name="导入批次", on_delete=models.PROTECT,
                              related_name="ratings")
    evaluation = models.OneToOneField(Evaluation, verbose_name="评价", on_delete=models.PROTECT,
                                      related_name="legacy")

    class Meta:
        verbose_name = "历史满意度评价"
        verbose_name_plural = "历史满意度评价"
        constraints = [
            # 避免重复评价 (seed 000): the same legacy rating is taken in once.
            models.UniqueConstraint(fields=["source", "legacy_key"], name="legacy_rating_once"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.legacy_key}"


class PhoneChallenge(models.Model):
    """An SMS code sent to a phone number (window QR flow, seed 002); stores no phone."""

    phone_index = models.CharField("手机号索引", max_length=64, db_index=True)
    window = models.ForeignKey("catalog.Window", verbose_name="窗口", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    code_hash = models.CharField("验证码摘要", max_length=64)
    created_at = models.DateTimeField("发送时间", auto_now_add=True)
    expires_at = models.DateTimeField("过期时间")
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    verified_at = models.DateTimeField("验证时间", null=True, blank=True)

    class Meta:
        verbose_name = "短信验证"
        verbose_name_plural = "短信验证"

    def __str__(self) -> str:
        return f"{self.phone_index[:8]}…"
