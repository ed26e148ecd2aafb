"""The transactional outbox: every outbound message is a row written in the same
transaction as the change that caused it, then delivered by the worker with retries,
back-off and a dead-letter state (STYLE.md §9)."""

from __future__ import annotations

from django.db import models

OUTBOX_STATUS_CHOICES = [
    ("pending", "待发送"),
    ("sending", "发送中"),
    ("sent", "已发送"),
    ("dead", "发送失败（死信）"),
]


class OutboxMessage(models.Model):
    kind = models.CharField("类型", max_length=16, default="sms")
    template = models.CharField("模板", max_length=64)
    # The recipient is a rater (phone decrypted at delivery, never copied here) or an
    # encrypted address for staff recipients.
    rater = models.ForeignKey("handlings.Rater", verbose_name="评价人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    to_cipher = models.TextField("收件地址密文", blank=True)
    # The template's parameters, sealed like the address: they carry live secrets (an SMS
    # code, an invitation link whose token rates as the rater) that nobody reading the
    # table or the admin may see. ``params`` opens them for delivery.
    params_cipher = models.TextField("参数密文", blank=True)
    # (subject, kind, period): a second invitation or reminder for the same subject is
    # impossible by construction (STYLE.md §7).
    dedupe_key = models.CharField("去重键", max_length=128, unique=True)
    status = models.CharField("状态", max_length=8, choices=OUTBOX_STATUS_CHOICES,
                              default="pending")
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试")
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    provider_id = models.CharField("网关消息ID", max_length=64, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "待发消息"
        verbose_name_plural = "待发消息"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[c for c, _ in OUTBOX_STATUS_CHOICES]),
                name="outbox_status_valid"),
        ]
        indexes = [
            # The delivery job claims due pending rows in order.
            models.Index(fields=["next_attempt_at"], name="outbox_due",
                         condition=models.Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.status}"

    @property
    def params(self) -> dict[str, str]:
        """The template parameters (decrypted; VaultError when the key is gone)."""
        from haochaping.notify.sealing import open_params

        return open_params(self.params_cipher)


class InboundSms(models.Model):
    """An SMS reply received through the gateway's webhook (kept for traceability)."""

    phone_index = models.CharField("手机号索引", max_length=64, db_index=True)
    body = models.CharField("内容", max_length=500)
    provider_id = models.CharField("网关消息ID", max_length=64, unique=True)
    received_at = models.DateTimeField("接收时间", auto_now_add=True)
    outcome = models.CharField("处理结果", max_length=64, blank=True)

    class Meta:
        verbose_name = "上行短信"
        verbose_name_plural = "上行短信"

    def __str__(self) -> str:
        return f"{self.provider_id} → {self.outcome or '待处理'}"


TEMPLATE_CHANNEL_CHOICES = [("sms", "短信")]


class MessageTemplate(models.Model):
    """An outbound message template as data: Chinese text with ``{name}`` placeholders
    (rendered by ``notify.rules.render``) and, for gateways that only send pre-registered
    templates, the provider's template id. Edited in the admin through
    ``notify.services.template_update`` (validated and audited)."""

    code = models.SlugField("模板代码", max_length=64, unique=True)
    channel = models.CharField("渠道", max_length=8, choices=TEMPLATE_CHANNEL_CHOICES,
                               default="sms")
    name = models.CharField("名称", max_length=100)
    body = models.TextField("模板内容", help_text="使用 {名称} 形式的占位符")
    gateway_template_id = models.CharField("网关模板ID", max_length=64, blank=True)
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "消息模板"
        verbose_name_plural = "消息模板"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__in=[c for c, _ in TEMPLATE_CHANNEL_CHOICES]),
                name="message_template_channel_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


RELAY_STATUSES = [("bound", "已绑定"), ("failed", "绑定失败"), ("released", "已解绑")]
CALL_OUTCOMES = [("answered", "已接通"), ("no_answer", "无人接听"), ("busy", "忙线"),
                 ("failed", "呼叫失败")]


class RelayBinding(models.Model):
    """One privacy-number binding (隐私号, AXB) of a staff caller and a rater for one
    subject (``ref``: ``workorder:<pk>``). Holds the virtual number and its expiry, never
    either real number (the rater's stays in the vault, the caller's on their account)."""

    ref = models.CharField("事由对象", max_length=64)
    rater = models.ForeignKey("handlings.Rater", verbose_name="评价人",
                              on_delete=models.PROTECT, related_name="+")
    caller = models.ForeignKey("accounts.User", verbose_name="主叫人", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    backend = models.CharField("隐私号平台", max_length=16)
    binding_id = models.CharField("绑定编号", max_length=64, blank=True)
    virtual_number = models.CharField("隐私号", max_length=20, blank=True)
    status = models.CharField("状态", max_length=8, choices=RELAY_STATUSES)
    error = models.CharField("失败原因", max_length=200, blank=True)
    created_at = models.DateTimeField("绑定时间")
    expires_at = models.DateTimeField("有效期至")
    released_at = models.DateTimeField("解绑时间", null=True, blank=True)

    class Meta:
        verbose_name = "隐私号绑定"
        verbose_name_plural = "隐私号绑定"
        constraints = [models.CheckConstraint(
            condition=models.Q(status__in=["bound", "failed", "released"]),
            name="relay_binding_status_valid")]
        indexes = [models.Index(fields=["ref", "created_at"], name="relay_binding_ref")]

    def __str__(self) -> str:
        return f"{self.ref}: {self.virtual_number or self.status}"


class RelayCall(models.Model):
    """A call through a binding, from the relay platform's call records (话单): the
    evidence of a call-back (when, how long, how it ended); stored once per call."""

    binding = models.ForeignKey(RelayBinding, verbose_name="绑定", on_delete=models.PROTECT,
                                related_name="calls")
    call_id = models.CharField("话单编号", max_length=64)
    started_at = models.DateTimeField("呼叫时间")
    seconds = models.PositiveIntegerField("通话时长（秒）")
    outcome = models.CharField("结果", max_length=10, choices=CALL_OUTCOMES)
    fetched_at = models.DateTimeField("获取时间")

    class Meta:
        verbose_name = "隐私号通话记录"
        verbose_name_plural = "隐私号通话记录"
        constraints = [
            models.UniqueConstraint(fields=["binding", "call_id"], name="relay_call_once"),
            models.CheckConstraint(
                condition=models.Q(outcome__in=[o for o, _ in CALL_OUTCOMES]),
                name="relay_call_outcome_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.call_id}: {self.outcome} {self.seconds}s"


class InboxItem(models.Model):
    """One in-app notification to one person (站内通知): the text names the order by its
    number and deadline, never a rater or a submitter; ``url`` opens the work. Once per
    event and person (``dedupe_key``), written in the transaction of the change."""

    user = models.ForeignKey("accounts.User", verbose_name="接收人", on_delete=models.CASCADE,
                             related_name="+")
    event = models.CharField("事件", max_length=16)
    text = models.CharField("内容", max_length=200)
    url = models.CharField("链接", max_length=200, blank=True)
    urgent = models.BooleanField("紧急", default=False)
    dedupe_key = models.CharField("去重键", max_length=160, unique=True)
    created_at = models.DateTimeField("时间")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="inbox_unread")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.event}"


class InboxPreference(models.Model):
    """What a person wants to be told: events turned off in the inbox (``muted``, see
    ``inbox_rules.EVENTS``) and whether urgent ones also come by SMS. No row: everything
    on."""

    user = models.OneToOneField("accounts.User", verbose_name="用户", primary_key=True,
                                on_delete=models.CASCADE, related_name="+")
    muted = models.JSONField("不接收的事件", default=list, blank=True)
    sms = models.BooleanField("紧急事项短信提醒", default=True)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = verbose_name_plural = "通知偏好"

    def __str__(self) -> str:
        return f"{self.user_id}: sms={self.sms}"
