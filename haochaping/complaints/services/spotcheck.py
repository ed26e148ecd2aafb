"""Spot-check call-backs (seed 004 §6(三): 抽查回访): the office draws closed items of a
period at a rate, stratified by kind and department (``rules.sampling``: reproducible
from the recorded seed), and records each call (reached, satisfied, note). The figure
抽查回访满意率 (satisfied / reached) is computed by stats from the ``SpotCheck`` rows.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, require
from haochaping.audit.services import audit_record
from haochaping.complaints.models import SpotCheck, Submission
from haochaping.complaints.rules import sampling
from haochaping.complaints.rules.kinds import Status
from haochaping.complaints.selectors import visible_submissions
from haochaping.complaints.services.moves import submission_note
from haochaping.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from haochaping.core.localtime import day_bounds

MAX_DAYS = 366
MAX_NOTE = 500


@dataclass(frozen=True)
class Drawn:
    draw: str  # the label stored on each SpotCheck: period and seed
    checks: list[SpotCheck]
    candidates: int


def _office(actor: Actor) -> None:
    if actor.is_client or actor.scope_path is None:
        raise PermissionDenied("forbidden.role", "只有政务服务管理机构可以抽查回访")
    require(actor, access.COMPLAINT, access.WRITE, actor.scope_path)


def candidates(actor: Actor, start: date, end: date) -> list[sampling.Candidate]:
    """Closed items of the actor's subtree closed in [start, end] (local days) whose
    submitter can be called."""
    since, _ = day_bounds(start)
    _, until = day_bounds(end)
    rows = (visible_submissions(actor)
            .filter(status=Status.CLOSED.value, closed_at__gte=since, closed_at__lt=until,
                    submitter__isnull=False)
            .values_list("pk", "kind", "order__org_id"))
    return [sampling.Candidate(pk, kind, org or 0) for pk, kind, org in rows]


def spotcheck_draw(*, actor: Actor, start: date, end: date, rate_percent: int,
                   seed: str = "", now: datetime) -> Drawn:
    """Draw the period's call-backs; recorded once per (period, seed): the same draw
    again is refused rather than duplicated."""
    _office(actor)
    if end < start:
        raise ValidationError("complaint.draw_period", "结束日期不能早于开始日期", "end")
    if end - start > timedelta(days=MAX_DAYS):
        raise ValidationError("complaint.draw_period", "抽查期间不能超过一年", "end")
    if not sampling.MIN_RATE <= rate_percent <= sampling.MAX_RATE:
        raise ValidationError("complaint.draw_rate", "抽查比例须在 1% 至 100% 之间", "rate")
    seed = (seed or "").strip() or secrets.token_hex(4)
    if not sampling.SEED_PATTERN.match(seed):
        raise ValidationError("complaint.draw_seed", "随机种子须为 1 至 16 位字母或数字", "seed")
    label = f"{start:%Y%m%d}-{end:%Y%m%d}-{rate_percent}-{seed}"
    pool = candidates(actor, start, end)
    ids = sampling.draw(pool, rate_percent=rate_percent, seed=seed)
    with transaction.atomic():
        if SpotCheck.objects.filter(draw=label, submission_id__in=ids).exists():
            raise Conflict("complaint.draw_exists", "该期间已用相同参数抽取过，请换用新的随机种子")
        checks = [SpotCheck.objects.create(submission_id=pk, draw=label, drawn_at=now,
                                           by=actor.user) for pk in ids]
        audit_record(action="complaint.spotcheck_draw", actor=actor.user,
                     actor_label=actor.label, object_type="complaints.spotcheck_draw",
                     object_id=label,
                     after={"draw": label, "start": start.isoformat(), "end": end.isoformat(),
                            "rate_percent": rate_percent, "seed": seed,
                            "scope": actor.scope_path, "candidates": len(pool),
                            "drawn": ids})
    return Drawn(draw=label, checks=checks, candidates=len(pool))


def spotcheck_record(*, actor: Actor, check_id: int, reached: bool, satisfied: bool | None,
                     note: str, now: datetime, called_at: datetime | None = None
                     ) -> SpotCheck:
    """One call, recorded once: reached or not, and when reached satisfied or not."""
    _office(actor)
    check = (SpotCheck.objects.filter(pk=check_id, submission__in=visible_submissions(actor))
             .select_related("submission").first())
    if check is None:
        raise NotFound("complaint.spotcheck_not_found", "抽查记录不存在或无权查看")
    if reached and satisfied is None:
        raise ValidationError("complaint.spotcheck_satisfied", "请选择诉求人是否满意",
                              "satisfied")
    if not reached:
        satisfied = None
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError("complaint.note_too_long", f"回访情况不能超过 {MAX_NOTE} 字", "note")
    called_at = called_at or now
    if called_at > now or called_at < check.drawn_at:
        raise ValidationError("complaint.spotcheck_time", "回访时间须在抽取之后、当前之前",
                              "called_at")
    with transaction.atomic():
        if not SpotCheck.objects.filter(pk=check.pk, called_at__isnull=True).update(
                called_at=called_at, reached=reached, satisfied=satisfied, note=note,
                by=actor.user):
            raise Conflict("complaint.spotcheck_recorded", "该回访已记录，不能重复记录")
        check.refresh_from_db()
        item: Submission = check.submission
        submission_note(item, action="spot_check", now=now, actor=actor.user,
                        actor_label=actor.label, note=note,
                        payload={"reached": reached, "satisfied": satisfied,
                                 "draw": check.draw})
        audit_record(action="complaint.spotcheck_record", actor=actor.user,
                     actor_label=actor.label, obj=check,
                     after={"reached": reached, "satisfied": satisfied,
                            "submission": item.pk})
    return check
