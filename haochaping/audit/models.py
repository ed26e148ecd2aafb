"""Append-only, hash-chained audit log (BRIEF non-negotiables)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from haochaping.audit.triggers import GUARD
from haochaping.core.records import InsertOnly


class AuditEvent(models.Model):
    """One admin or workflow action. Never updated or deleted (database triggers refuse it).

    ``hash`` = HMAC-SHA256, with the audit key named by ``key_id``, over the canonical JSON
    of this row's content and ``prev_hash``, the hash of the row before in its ``chain``
    (rows written before the chain was keyed have no ``key_id`` and a plain SHA-256,
    ``rules``); ``haochaping audit verify`` recomputes
    every chain and reports each broken link, which reveals an altered row and, through
    the ``seq`` gap, a removed one.
    """

    # One of rules.CHAINS chains; ``seq`` counts 1, 2, 3 … within it. Rows written before
    # chains existed are chain 0, hashed as they were (services.event_content).
    chain = models.PositiveSmallIntegerField("链", default=0)
    seq = models.BigIntegerField("序号")
    at = models.DateTimeField("时间")
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True)
    actor_label = models.CharField("操作人", max_length=150)
    action = models.CharField("操作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    prev_hash = models.CharField("前一条摘要", max_length=64)
    # Which key of HCP_AUDIT_KEYS made ``hash`` (key rotation); "" = an unkeyed row
    # written before issue 17 (rules: algorithm v1).
    key_id = models.CharField("密钥编号", max_length=16, blank=True, default="")
    hash = models.CharField("摘要", max_length=64)

    insert_only: ClassVar[InsertOnly] = GUARD  # no UPDATE, DELETE or TRUNCATE (core.records)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["at", "id"]
        constraints = [
            # A chain's order and its append's "last row of my chain" look-up.
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq"),
        ]
        indexes = [
            # The object's history page reads every event of one object.
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        where = f"{self.chain}." if self.chain else ""
        return f"#{where}{self.seq} {self.action}"
