"""Writes of the spot checks (核查抽查, issue 15): the office's plan, its one draw, a
finding per item with its consequence, and the 通报's publication. Every write is the
office's (``supervision`` write, an org subtree), atomic and audited; a refusal writes
nothing.

A finding's consequence goes through the app that owns the row: a rating the rater
denies to ``evaluations.services.evaluation_invalidate`` (reason: the finding), a fake fix
to the work-order engine's ``reopen`` transition. Both happen in the finding's
transaction, so either all of it is recorded or none.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import NOWHERE, Actor
from haochaping.audit.services import audit_record
from haochaping.catalog.models import Org
from haochaping.core import uploads
from haochaping.core.errors import Conflict, PermissionDenied, RuleViolation, ValidationError
from haochaping.core.localtime import local_day
from haochaping.evaluations.services import evaluation_invalidate
from haochaping.supervision import rules, selectors
from haochaping.supervision.models import CheckDraw, CheckFinding, CheckItem, CheckPlan
from haochaping.supervision.rules import Consequence, Finding, Method, Stratum, Target
from haochaping.workorders.rules import State
from haochaping.workorders.services import workorder_reopen

MAX_DAYS = 366
MAX_NOTE = 1000
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


def _office(actor: Actor) -> Org:
    if (actor.is_client or actor.scope_path is None or actor.org_id is None
            or not actor.allows(access.SUPERVISION, access.WRITE)):
        raise PermissionDenied("forbidden.role", "只有政务服务管理机构可以核查抽查")
    return Org.objects.get(pk=actor.org_id)


def _own(actor: Actor, plan: CheckPlan) -> CheckPlan:
    """The plan, fresh and locked, if it lies in the office's subtree."""
    fresh = (CheckPlan.objects.select_for_update()
             .filter(pk=plan.pk, scope_path__startswith=actor.scope_path or NOWHERE).first())
    if fresh is None:
        raise PermissionDenied("forbidden.scope", "该核查计划不在本机构范围内")
    return fresh


def plan_create(*, actor: Actor, title: str, start: date, end: date,
                rates: dict[Stratum, int], now: datetime) -> CheckPlan:
    """A plan for a period that has ended (its ratings no longer change), at most a year,
    with a rate per class."""
    org = _office(actor)
    title = (title or "").strip()
    if not 1 <= len(title) <= 100:
        raise ValidationError("supervision.title", "计划名称须为 1 至 100 个字", "title")
    if end < start:
        raise ValidationError("supervision.period", "结束日期不能早于开始日期", "end")
    if end >= local_day(now):
        raise ValidationError("supervision.period_open", "只能抽查已经结束的期间（截至昨天）",
                              "end")
    if end - start > timedelta(days=MAX_DAYS):
        raise ValidationError("supervision.period", "核查期间不能超过一年", "end")
    refusal = rules.rates_refusal(rates)
    if refusal:
        raise ValidationError("supervision.rates", refusal, "rate_good")
    with transaction.atomic():
        plan = CheckPlan.objects.create(
            title=title, scope=org, scope_path=org.path, start=start, end=end,
            rate_good=rates.get(Stratum.GOOD, 0), rate_bad=rates.get(Stratum.BAD, 0),
            rate_default=rates.get(Stratum.DEFAULT, 0), rate_order=rates.get(Stratum.ORDER, 0),
            created_by=actor.user, created_at=now)
        audit_record(action="supervision.plan_create", actor=actor.user,
                     actor_label=actor.label, obj=plan,
                     after={"title": title, "start": start.isoformat(),
                            "end": end.isoformat(), "scope": org.path,
                            "rates": {s.value: r for s, r in rates.items()}})
    return plan


def check_draw(*, actor: Actor, plan: CheckPlan, seed: str = "", now: datetime) -> CheckDraw:
    """The plan's one draw: the seed (the office's, or a random one), the rates and the
    candidates' digest recorded with the items and in the audit trail."""
    _office(actor)
    seed = (seed or "").strip() or secrets.token_hex(4)
    if not rules.SEED_PATTERN.match(seed):
        raise ValidationError("supervision.seed", "随机种子须为 1 至 16 位字母或数字", "seed")
    with transaction.atomic():
        plan = _own(actor, plan)
        if CheckDraw.objects.filter(plan=plan).exists():
            raise Conflict("supervision.drawn", "该计划已经抽取过，不能重复抽取")
        pool = selectors.candidates(plan, now)
        rates = selectors.plan_rates(plan)
        chosen = rules.draw(pool, rates=rates, seed=seed)
        digest = rules.candidates_digest(pool)
        params = {"start": plan.start.isoformat(), "end": plan.end.isoformat(),
                  "scope": plan.scope_path, "rates": {s.value: r for s, r in rates.items()},
                  "per_stratum": {s.value: sum(c.stratum is s for c in pool) for s in Stratum}}
        draw = CheckDraw.objects.create(plan=plan, seed=seed, drawn_at=now, by=actor.user,
                                        candidates=len(pool), digest=digest, params=params)
        CheckItem.objects.bulk_create([
            CheckItem(draw=draw, stratum=c.stratum.value, org_id=c.org,
                      window_id=c.window or None, channel=c.channel,
                      evaluation_id=c.id if c.stratum.target is Target.RATING else None,
                      order_id=c.id if c.stratum.target is Target.ORDER else None)
            for c in chosen])
        audit_record(action="supervision.draw", actor=actor.user, actor_label=actor.label,
                     obj=draw, after={**params, "plan": plan.pk, "seed": seed,
                                      "candidates": len(pool), "digest": digest,
                                      "drawn": [c.key for c in chosen]})
    return draw


def _evidence(upload: Any) -> tuple[str, str]:
    """The evidence file judged by its content (``core.uploads``): its safe name and
    SHA-256; nothing is stored here."""
    size = int(upload.size or 0)
    if not 0 < size <= MAX_EVIDENCE_BYTES:
        raise ValidationError("supervision.evidence_size", "佐证材料须为 1 字节至 20 MB",
                              "evidence")
    try:
        kind = uploads.kind_of(upload)
    except RuleViolation as exc:
        raise ValidationError(exc.code, exc.message, "evidence") from None
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return uploads.safe_name(upload.name or "", kind), digest.hexdigest()


def _note(note: str) -> str:
    note = (note or "").strip()
    if not 1 <= len(note) <= MAX_NOTE:
        raise ValidationError("supervision.note", f"请填写核查情况（不超过 {MAX_NOTE} 字）", "note")
    return note


def finding_record(*, actor: Actor, item_id: int, method: str, finding: str, note: str,
                   checked_on: date, evidence: Any = None, now: datetime) -> CheckFinding:
    """One finding per item, before the 通报 is published; its consequence in the same
    transaction (see the module)."""
    _office(actor)
    item = selectors.office_item(actor, item_id)
    target = Target.RATING if item.evaluation_id else Target.ORDER
    if method not in {m.value for m in Method}:
        raise ValidationError("supervision.method", "请选择核查方式", "method")
    refusal = rules.finding_refusal(target, finding)
    if refusal:
        raise ValidationError("supervision.finding", refusal, "finding")
    note = _note(note)
    if not local_day(item.draw.drawn_at) <= checked_on <= local_day(now):
        raise ValidationError("supervision.checked_on", "核查日期须在抽取之后、今天之前",
                              "checked_on")
    name, sha = _evidence(evidence) if evidence is not None else ("", "")
    value = Finding(finding)
    with transaction.atomic():
        plan = _own(actor, item.draw.plan)
        if plan.published_at is not None:
            raise Conflict("supervision.published", "通报已发布，不能再记录核查结论")
        row = CheckFinding(item=item, method=method, finding=value.value, note=note,
                           checked_on=checked_on, evidence_name=name, evidence_sha256=sha,
                           by=actor.user, at=now)
        if evidence is not None:
            row.evidence.save(name, evidence, save=False)
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            raise Conflict("supervision.recorded", "该对象已记录核查结论，不能重复记录") from None
        row.outcome = _consequence(actor, item, value, note, now)
        CheckFinding.objects.filter(pk=row.pk).update(outcome=row.outcome)
        audit_record(action="supervision.finding", actor=actor.user, actor_label=actor.label,
                     obj=row, after={"item": item.pk, "method": method, "finding": value.value,
                                     "evidence_sha256": sha, **row.outcome})
    return row


def _consequence(actor: Actor, item: CheckItem, finding: Finding, note: str,
                 now: datetime) -> dict[str, Any]:
    follow = rules.CONSEQUENCE.get(finding)
    if follow is Consequence.INVALIDATE:
        evaluation = item.evaluation
        assert evaluation is not None
        if evaluation.invalidated_at is not None:
            return {"invalidated": "already"}
        reason = f"核查抽查：{finding.label}。{note}"[:200]
        evaluation_invalidate(actor=actor, evaluation=evaluation, reason=reason, now=now)
        return {"invalidated": evaluation.pk}
    if follow is Consequence.REOPEN:
        order = item.order
        assert order is not None
        order.refresh_from_db(fields=["status"])
        if order.status != State.CLOSED.value:
            # Back in the loop since the draw (the rater's 不满意, another check): the
            # finding stands, the order is already being reworked and judged again.
            return {"reopened": "already", "status": order.status}
        workorder_reopen(actor=actor, order=order, now=now, check=item.pk,
                         reasons=f"核查抽查发现{finding.label}：{note}"[:2000])
        return {"reopened": order.pk}
    return {}


def plan_publish(*, actor: Actor, plan: CheckPlan, now: datetime) -> CheckPlan:
    """Publish the 通报: every drawn item must have its finding. From now on each
    department reads its own items and figures of this plan."""
    _office(actor)
    with transaction.atomic():
        plan = _own(actor, plan)
        if plan.published_at is not None:
            raise Conflict("supervision.published", "通报已发布")
        if not CheckDraw.objects.filter(plan=plan).exists():
            raise ValidationError("supervision.not_drawn", "尚未抽取核查对象，不能发布通报")
        left = CheckItem.objects.filter(draw__plan=plan, finding__isnull=True).count()
        if left:
            raise ValidationError("supervision.unchecked",
                                  f"尚有 {left} 个核查对象未记录结论，不能发布通报")
        CheckPlan.objects.filter(pk=plan.pk).update(published_at=now, published_by=actor.user)
        total = selectors.figures_total(actor, plan)
        audit_record(action="supervision.publish", actor=actor.user, actor_label=actor.label,
                     obj=plan, after={"published_at": now.isoformat(),
                                      "consistency_rate": total.consistency_rate,
                                      "verification_rate": total.verification_rate})
    plan.refresh_from_db()
    return plan
