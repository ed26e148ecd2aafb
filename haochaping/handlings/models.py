"""办件 (handlings) reported by business systems. Their 评价人 (raters) are defined by the
vault (``haochaping.vault.models``) and keep this app's label and table."""

from __future__ import annotations

from django.db import models

from haochaping.catalog.rules.codes import Stage, choices
from haochaping.vault.models import APPLICANT_KIND_CHOICES, Rater

__all__ = ["APPLICANT_KIND_CHOICES", "HANDLING_STATUS_CHOICES", "SERVICE_CHANNEL_CHOICES",
           "STAGE_CHOICES", "Handling", "HandlingMove", "HandlingStage", "Rater"]

HANDLING_STATUS_CHOICES = [
    ("accepted", "已受理"),
    ("in_progress", "办理中"),
    ("completed", "已办结"),
    ("withdrawn", "已撤回"),
]
SERVICE_CHANNEL_CHOICES = [("online", "线上办理"), ("offline", "线下办理")]
STAGE_CHOICES = choices(Stage)


class Handling(models.Model):
    """办件: one delivery of a matter to an applicant, reported by a business system.

    Idempotent on (client, proj_no). The three sweep deadlines are computed from the
    org's effective policy and the calendar when the handling completes (again when its
    completion time is corrected), stored here, and cleared when it is rated (STYLE.md §6).
    """

    # client, org, window and rater need no index of their own: the unique
    # (client, proj_no) and the (org | window | rater, completed_at) indexes lead with them.
    client = models.ForeignKey("accounts.ApiClient", verbose_name="来源系统",
                               on_delete=models.PROTECT, related_name="handlings",
                               db_index=False)
    proj_no = models.CharField("办件编号", max_length=64)
    matter = models.ForeignKey("catalog.Matter", verbose_name="事项", on_delete=models.PROTECT,
                               related_name="handlings")
    org = models.ForeignKey("catalog.Org", verbose_name="办理部门", on_delete=models.PROTECT,
                            related_name="handlings", db_index=False)
    hall = models.ForeignKey("catalog.Hall", verbose_name="大厅", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="handlings")
    window = models.ForeignKey("catalog.Window", verbose_name="窗口", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="handlings",
                               db_index=False)
    staff = models.ForeignKey("catalog.Staff", verbose_name="经办人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="handlings")
    rater = models.ForeignKey(Rater, verbose_name="申请人", on_delete=models.PROTECT,
                              related_name="handlings", db_index=False)
    service_channel = models.CharField("办理渠道", max_length=8,
                                       choices=SERVICE_CHANNEL_CHOICES)
    status = models.CharField("状态", max_length=12, choices=HANDLING_STATUS_CHOICES)
    batch_no = models.CharField("批次号", max_length=64, blank=True)
    accepted_at = models.DateTimeField("受理时间")
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)
    # SHA-256 of the normalised payload: a re-sent identical record changes nothing.
    content_hash = models.CharField("内容摘要", max_length=64)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    invite_due_at = models.DateTimeField("评价邀请时间", null=True, blank=True)
    default_due_at = models.DateTimeField("默认评价时间", null=True, blank=True)
    rating_closes_at = models.DateTimeField("补充评价截止", null=True, blank=True)
    created_at = models.DateTimeField("接收时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        constraints = [
            models.UniqueConstraint(fields=["client", "proj_no"], name="handling_client_proj_no"),
            models.CheckConstraint(
                condition=models.Q(status__in=[c for c, _ in HANDLING_STATUS_CHOICES]),
                name="handling_status_valid"),
        ]
        indexes = [
            models.Index(fields=["batch_no"], name="handling_batch_no"),
            # SMS invitation sweep: completed, unrated handlings whose invite time passed.
            models.Index(fields=["invite_due_at"], name="handling_invite_due",
                         condition=models.Q(invite_due_at__isnull=False)),
            # Default-rating sweep (seed 000 §11).
            models.Index(fields=["default_due_at"], name="handling_default_due",
                         condition=models.Q(default_due_at__isnull=False)),
            # Evaluator pad: the latest completed handling at a window.
            models.Index(fields=["window", "completed_at"], name="handling_window_done"),
            # One org's completions of a period (statistics drill-down, roll-up buckets);
            # it stands in for the org foreign key's own index, so intake keeps its count.
            models.Index(fields=["org", "completed_at"], name="handling_org_done"),
            # Window QR: the rater's recent handlings.
            models.Index(fields=["rater", "completed_at"], name="handling_rater_done"),
            # Rating by proj_no from the app, pads and SMS: the rating client is not the
            # business system that reported the handling, so (client, proj_no) can't serve.
            models.Index(fields=["proj_no"], name="handling_proj_no"),
            # The roll-up job's "changed since" look-up (stats.rollup.touched).
            models.Index(fields=["updated_at"], name="handling_updated"),
            # The roll-up job recomputing a day's handlings (stats.rollup.handling_source):
            # without it a tick scanned every window's completions.
            models.Index(fields=["completed_at"], name="handling_completed",
                         condition=models.Q(completed_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.proj_no


class HandlingMove(models.Model):
    """A completed handling's former org and completion time, recorded when a correction
    of the business system moves it out of them (``rules.left_bucket``).

    The statistics count a completed handling on its completion day at its org; the
    handling row then names only where it counts now, so the roll-up job
    (``stats.rollup.touched``) reads these rows to recompute the bucket it left in the
    same run. Written by the intake in the transaction of the correction, in one
    statement per call (none when nothing moved); insert-only, it is also the record of
    the corrected values, which the handling row no longer holds."""

    # No index on the handling: nothing reads the moves by handling (handlings are never
    # deleted), and the intake writes these rows.
    handling = models.ForeignKey(Handling, verbose_name="办件", on_delete=models.PROTECT,
                                 related_name="moves", db_index=False)
    org = models.ForeignKey("catalog.Org", verbose_name="原办理部门", on_delete=models.PROTECT,
                            related_name="+", db_index=False)
    completed_at = models.DateTimeField("原办结时间")
    at = models.DateTimeField("变更时间")

    class Meta:
        verbose_name = "办件统计归属变更"
        verbose_name_plural = "办件统计归属变更"
        indexes = [
            # The roll-up job's "moved since" look-up (stats.rollup.touched).
            models.Index(fields=["at"], name="handling_move_at"),
        ]

    def __str__(self) -> str:
        return f"{self.handling_id} moved at {self.at:%Y-%m-%d %H:%M}"


class HandlingStage(models.Model):
    """环节: one stage of a handling (咨询, 申报, 补正, 缴费, 签收, 办结) as its business
    system reported it, with its time and, when known, the window and staff who served it.

    One row per (handling, stage): reporting a stage again corrects it (its time, its
    window, its staff). Written only by handlings' services (the intake, with the handling,
    and ``stages.handling_stages_report`` for a stage reported later); a rating of a stage
    (``evaluations.Evaluation.stage``) refers to its row and is counted for the staff and
    window who served that stage."""

    handling = models.ForeignKey(Handling, verbose_name="办件", on_delete=models.PROTECT,
                                 related_name="stages", db_index=False)
    stage = models.CharField("环节", max_length=8, choices=STAGE_CHOICES)
    at = models.DateTimeField("环节时间")
    # No index on the three references: nothing lists stages by them (a PROTECT check on
    # deleting one of these rare rows scans instead), as for the evaluation's.
    hall = models.ForeignKey("catalog.Hall", verbose_name="大厅", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+", db_index=False)
    window = models.ForeignKey("catalog.Window", verbose_name="窗口", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+", db_index=False)
    staff = models.ForeignKey("catalog.Staff", verbose_name="经办人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+", db_index=False)
    created_at = models.DateTimeField("接收时间")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "办件环节"
        verbose_name_plural = "办件环节"
        constraints = [
            # One row per stage of a handling; it also serves the handling's stages
            # (detail, rating, intake upsert): it leads with the handling.
            models.UniqueConstraint(fields=["handling", "stage"], name="handling_stage_once"),
            models.CheckConstraint(condition=models.Q(stage__in=[s.value for s in Stage]),
                                   name="handling_stage_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.handling_id}: {self.stage}"
