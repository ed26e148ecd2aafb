"""Downward exchange (汇聚/转办): what remotes send us, and what we refused.

A refused request is stored nowhere but :class:`RejectedMessage` (its hash and size, never
its body). An accepted one leaves its nonce (:class:`InboundNonce`, the replay check),
one :class:`InboundRating` per rating item (the link to our evaluation, with the
remote's channel code) or one :class:`ForwardedItem` per complaint, inquiry, suggestion
or bad review the remote forwards. A rating whose handling we do not have yet waits in
:class:`ParkedRating` until the handling arrives.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from haochaping.exchange.rules.inbound import (
    FORWARDED_KIND_LABELS,
    FORWARDED_LABELS,
    PARKED_LABELS,
    ForwardedStatus,
    ParkedStatus,
)

RATING_STORED = "stored"
RATING_PARKED = "parked"
RATING_REFUSED = "refused"
RATING_STATUS_CHOICES = [(RATING_STORED, "已入库"), (RATING_PARKED, "待匹配办件"),
                         (RATING_REFUSED, "已拒收")]
PARKED_CHOICES = [(s.value, label) for s, label in PARKED_LABELS.items()]
FORWARDED_CHOICES = [(s.value, label) for s, label in FORWARDED_LABELS.items()]
FORWARDED_KIND_CHOICES = list(FORWARDED_KIND_LABELS.items())


class InboundNonce(models.Model):
    """A nonce of an accepted request, kept while a replay of it could still be inside the
    profile's time window (the periodic job ``exchange.inbound_upkeep`` removes older
    ones); written in the transaction that stores the request's items."""

    remote = models.ForeignKey("exchange.Remote", on_delete=models.CASCADE, related_name="+",
                               db_index=False)
    nonce = models.CharField("随机串", max_length=64)
    seen_at = models.DateTimeField("接收时间")

    class Meta:
        verbose_name = verbose_name_plural = "接收报文随机串"
        constraints = [
            # The replay check: a second request with the same nonce fails here, however
            # many workers receive at once.
            models.UniqueConstraint(fields=["remote", "nonce"], name="exchange_nonce_once"),
        ]
        indexes = [models.Index(fields=["seen_at"], name="exchange_nonce_seen")]  # upkeep

    def __str__(self) -> str:
        return self.nonce


class RejectedMessage(models.Model):
    """A refused inbound request: who, what, why, and the SHA-256 and size of its body
    (never the body: it may carry personal data). Insert-only; each row is audited."""

    remote = models.ForeignKey("exchange.Remote", verbose_name="对接平台", null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    remote_name = models.CharField("请求的平台标识", max_length=40)
    kind = models.CharField("请求的类型", max_length=80)
    code = models.CharField("错误代码", max_length=64)
    reason = models.CharField("原因", max_length=500)
    field = models.CharField("字段", max_length=64, blank=True)
    status = models.PositiveSmallIntegerField("HTTP 状态")
    body_sha256 = models.CharField("报文 SHA-256", max_length=64)
    body_size = models.PositiveIntegerField("报文字节数")
    ip = models.GenericIPAddressField("来源 IP", null=True, blank=True)
    received_at = models.DateTimeField("接收时间")

    class Meta:
        verbose_name = verbose_name_plural = "拒收报文"
        indexes = [
            # The office screen's newest refusals of a remote, and of all remotes.
            models.Index(fields=["remote", "received_at"], name="exchange_rejected_remote"),
            models.Index(fields=["received_at"], name="exchange_rejected_at"),
        ]

    def __str__(self) -> str:
        return f"{self.remote_name}: {self.code}"


class InboundRating(models.Model):
    """One rating a remote sent (made on its platform or app): stored as our evaluation,
    parked until its handling arrives, or refused by our rating rules (the remote was
    told why). The remote's key and rating id make a re-delivery an acknowledgement,
    never a second rating."""

    remote = models.ForeignKey("exchange.Remote", verbose_name="对接平台",
                               on_delete=models.PROTECT, related_name="+", db_index=False)
    remote_key = models.CharField("幂等键", max_length=200)
    rating_id = models.CharField("对方评价编号", max_length=200)
    proj_no = models.CharField("办件编号", max_length=100)
    status = models.CharField("状态", max_length=8, choices=RATING_STATUS_CHOICES)
    evaluation = models.OneToOneField("evaluations.Evaluation", verbose_name="评价",
                                      null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="inbound")
    channel = models.CharField("评价渠道", max_length=16)
    remote_channel = models.CharField("对方渠道代码", max_length=16, blank=True)
    error_code = models.CharField("拒收代码", max_length=64, blank=True)
    error_message = models.CharField("拒收原因", max_length=300, blank=True)
    received_at = models.DateTimeField("接收时间")

    class Meta:
        verbose_name = verbose_name_plural = "上级平台评价"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=[c for c, _ in RATING_STATUS_CHOICES]),
                                   name="exchange_inrating_status_valid"),
            # Idempotent re-delivery: the same key, or the same rating under a new key.
            models.UniqueConstraint(fields=["remote", "remote_key"],
                                    name="exchange_inrating_key_once"),
            models.UniqueConstraint(fields=["remote", "rating_id"],
                                    name="exchange_inrating_rating_once"),
        ]

    def __str__(self) -> str:
        return f"{self.remote_id}:{self.rating_id}"


class ParkedRating(models.Model):
    """A rating for a handling we did not have when it arrived: kept (the rating without
    its rater's identity) until the handling arrives, then stored by the periodic job
    ``exchange.inbound_upkeep``; visible to the office, never dropped."""

    inbound = models.OneToOneField(InboundRating, verbose_name="上级平台评价",
                                   on_delete=models.PROTECT, related_name="parked")
    proj_no = models.CharField("办件编号", max_length=100)
    org_code = models.CharField("机构代码", max_length=64, blank=True)
    # The org it names, when we know it (else the deployment's top office sees it): the
    # office screen's scope.
    org_path = models.CharField("机构路径", max_length=512, blank=True)
    fields = models.JSONField("评价内容")
    status = models.CharField("状态", max_length=8, choices=PARKED_CHOICES,
                              default=ParkedStatus.WAITING.value)
    attempts = models.PositiveIntegerField("匹配次数", default=0)
    parked_at = models.DateTimeField("暂存时间")
    settled_at = models.DateTimeField("处理时间", null=True, blank=True)
    error_code = models.CharField("拒收代码", max_length=64, blank=True)
    error_message = models.CharField("拒收原因", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "待匹配评价"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=[c for c, _ in PARKED_CHOICES]),
                                   name="exchange_parked_status_valid"),
        ]
        indexes = [
            # The matching job: waiting ratings by project number.
            models.Index(fields=["proj_no"], name="exchange_parked_waiting",
                         condition=Q(status=ParkedStatus.WAITING.value)),
            # The office screen, scoped by org path.
            models.Index(fields=["org_path", "status"], name="exchange_parked_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.proj_no} ({self.status})"


class ForwardedItem(models.Model):
    """咨询、投诉、建议、差评 forwarded by a remote (seed 004 §3): received, dispatched by
    the office to an org as a work order, closed with the outcome that goes back.

    The small model the complaints issue will replace (docs/exchange.md "Downward"). The
    content is confidential (seed 004 §10): the office reads it here, the handlers of
    its work order there. The submitter's identity is in the rater vault (encrypted),
    never here."""

    remote = models.ForeignKey("exchange.Remote", verbose_name="对接平台",
                               on_delete=models.PROTECT, related_name="+", db_index=False)
    remote_ref = models.CharField("对方编号", max_length=100)  # the remote's appealId
    remote_key = models.CharField("幂等键", max_length=200)
    kind = models.CharField("类型", max_length=12, choices=FORWARDED_KIND_CHOICES)
    content = models.TextField("诉求内容")
    # The org it is addressed to (the remote's org code, or the handling's org), else the
    # deployment's top supervising office; its path scopes the office screen.
    org = models.ForeignKey("catalog.Org", verbose_name="所属机构", on_delete=models.PROTECT,
                            related_name="+", db_index=False)
    org_path = models.CharField("机构路径", max_length=512)
    org_code = models.CharField("对方机构代码", max_length=64, blank=True)
    matter_code = models.CharField("事项编码", max_length=64, blank=True)
    proj_no = models.CharField("办件编号", max_length=100, blank=True)
    handling = models.ForeignKey("handlings.Handling", verbose_name="办件", null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+",
                                 db_index=False)
    submitter = models.ForeignKey("handlings.Rater", verbose_name="诉求人", null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+",
                                  db_index=False)
    received_at = models.DateTimeField("提交时间")
    arrived_at = models.DateTimeField("接收时间")
    status = models.CharField("状态", max_length=12, choices=FORWARDED_CHOICES,
                              default=ForwardedStatus.RECEIVED.value)
    work_order = models.OneToOneField("workorders.WorkOrder", verbose_name="工单", null=True,
                                      blank=True, on_delete=models.PROTECT,
                                      related_name="forwarded")
    dispatched_at = models.DateTimeField("派发时间", null=True, blank=True)
    dispatched_by = models.ForeignKey("accounts.User", verbose_name="派发人", null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="+",
                                      db_index=False)
    # The complaints item it became on arrival (issue 14): the acceptance filter, triage,
    # dispatch and the reply run there; null for items received before the hand-off.
    submission = models.OneToOneField("complaints.Submission", verbose_name="诉求件",
                                      null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="forwarded")
    reply = models.TextField("办理结果", blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "上级转办诉求"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=[c for c, _ in FORWARDED_CHOICES]),
                                   name="exchange_forwarded_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=[c for c, _ in FORWARDED_KIND_CHOICES]),
                                   name="exchange_forwarded_kind_valid"),
            # Idempotent re-delivery: one item per remote id.
            models.UniqueConstraint(fields=["remote", "remote_ref"],
                                    name="exchange_forwarded_once"),
        ]
        indexes = [
            # The office screen: items of a status in the actor's subtree.
            models.Index(fields=["org_path", "status"], name="exchange_forwarded_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.remote_ref}"
