"""The upward outbox: one row per (remote, record change), written by database triggers in
the writer's transaction (``exchange.triggers``), delivered by ``exchange.delivery``.

A row names the change, not its content: the record is built from our rows when it is
sent (``exchange.selectors.records``), so a retry or a re-send carries the object as it
is then, under the same idempotency key.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from haochaping.exchange.rules import delivery as rules
from haochaping.exchange.rules.canonical import KIND_LABELS, Event

KIND_CHOICES = [(k.value, KIND_LABELS[k]) for k in rules.UPWARD_KINDS]
ROUTE_CHOICES = [(k.value, KIND_LABELS[k]) for k in rules.ROUTED_KINDS]
EVENT_CHOICES = [(Event.SAVED.value, "新增或变更"), (Event.INVALIDATED.value, "作废"),
                 (Event.CLOSED.value, "办结")]
STATUS_CHOICES = list(rules.STATUS_LABELS.items())
BREAKER_CHOICES = [(s.value, label) for s, label in rules.BREAKER_LABELS.items()]


class RemoteRoute(models.Model):
    """Which active remote receives which kind: its profile's kinds narrowed by
    ``Remote.kinds`` (``rules.delivery.route_kinds``), kept by ``routes.routes_sync``.
    The triggers read it (a profile is data the database cannot read): a write that no
    remote wants inserts nothing."""

    remote = models.ForeignKey("exchange.Remote", verbose_name="对接平台",
                               on_delete=models.CASCADE, related_name="routes", db_index=False)
    kind = models.CharField("上报类型", max_length=12, choices=ROUTE_CHOICES)

    class Meta:
        verbose_name = verbose_name_plural = "上报路由"
        constraints = [
            # The triggers' look-up: the remotes of one kind.
            models.UniqueConstraint(fields=["kind", "remote"], name="exchange_route_once"),
        ]

    def __str__(self) -> str:
        return f"{self.remote_id}:{self.kind}"


class OutboxRecord(models.Model):
    """One change of one object bound for one remote (STYLE.md §9)."""

    remote = models.ForeignKey("exchange.Remote", verbose_name="对接平台",
                               on_delete=models.PROTECT, related_name="outbox",
                               db_index=False)
    kind = models.CharField("类型", max_length=12, choices=KIND_CHOICES)
    # The evaluation, handling or work order (by kind): the row's primary key, the same
    # on both databases and stable for the row's life, so a trigger can write the key.
    object_id = models.BigIntegerField("对象ID")
    event = models.CharField("事件", max_length=12, choices=EVENT_CHOICES)
    version = models.PositiveIntegerField("版本", default=1)
    # rules.canonical.record_key(kind, object_id, event, version): what the remote
    # de-duplicates on. A function of the four columns above, so unique per remote
    # through exchange_outbox_once.
    record_key = models.CharField("幂等键", max_length=160)
    # For reconciliation and 补报: the org and the Shanghai day of the record (a rating's
    # time, an invalidation's, a handling's completion or acceptance, an order's close).
    # No foreign-key constraint: the hot path pays no reference check for it.
    org = models.ForeignKey("catalog.Org", verbose_name="机构", on_delete=models.DO_NOTHING,
                            related_name="+", db_constraint=False, db_index=False)
    day = models.DateField("业务日期（北京时间）")
    status = models.CharField("状态", max_length=8, choices=STATUS_CHOICES,
                              default=rules.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试")
    locked_until = models.DateTimeField("租约到期", null=True, blank=True)
    error_code = models.CharField("错误代码", max_length=64, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    # The moment of the change, as its writer stamped it.
    created_at = models.DateTimeField("变更时间")
    sent_at = models.DateTimeField("最近发送", null=True, blank=True)
    acked_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "上报记录"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=list(rules.STATUS_LABELS)),
                                   name="exchange_outbox_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=[k.value for k in rules.UPWARD_KINDS]),
                                   name="exchange_outbox_kind_valid"),
            # The same change never makes two rows (idempotency, STYLE.md §7); its leading
            # columns serve the handling trigger's next-version look-up and 补报's
            # "has this object a row for this remote" probe.
            models.UniqueConstraint(fields=["remote", "kind", "object_id", "event", "version"],
                                    name="exchange_outbox_once"),
        ]
        indexes = [
            # The delivery claim: a remote's due rows of one kind, oldest first.
            models.Index(fields=["remote", "kind", "next_attempt_at"], name="exchange_outbox_due",
                         condition=Q(status=rules.PENDING)),
            # The periodic job's reclaim of leases left by a dead worker.
            models.Index(fields=["locked_until"], name="exchange_outbox_lease",
                         condition=Q(status=rules.SENDING)),
            # The office screen's counts and dead / refused lists per remote.
            models.Index(fields=["remote", "status"], name="exchange_outbox_status"),
            # Reconciliation and 补报 by day and org.
            models.Index(fields=["remote", "day", "org"], name="exchange_outbox_day"),
        ]

    def __str__(self) -> str:
        return self.record_key


class RemoteBreaker(models.Model):
    """The circuit breaker of one remote (``rules.delivery`` decides, this row remembers
    across tasks and workers)."""

    remote = models.OneToOneField("exchange.Remote", verbose_name="对接平台",
                                  on_delete=models.CASCADE, primary_key=True,
                                  related_name="breaker")
    state = models.CharField("状态", max_length=10, choices=BREAKER_CHOICES,
                             default=rules.BreakerState.CLOSED.value)
    failures = models.PositiveIntegerField("连续失败次数", default=0)
    opened_at = models.DateTimeField("熔断时间", null=True, blank=True)
    probe_until = models.DateTimeField("试探截止", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "熔断状态"
        constraints = [
            models.CheckConstraint(condition=Q(state__in=[s.value for s in rules.BreakerState]),
                                   name="exchange_breaker_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.remote_id}: {self.state}"
