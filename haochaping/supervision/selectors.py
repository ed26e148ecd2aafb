"""Reads of the spot checks, scoped by the acting user.

The office (``supervision`` read) sees the plans of its subtree at every stage. A
department (``stats`` read without ``supervision``) sees a plan only once its 通报 is
published, and then only the items of its own subtree: before that the sample is the
office's alone, so a department can neither know nor steer what is checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import NOWHERE, Actor
from haochaping.catalog.models import Org
from haochaping.core.errors import NotFound, PermissionDenied
from haochaping.core.localtime import day_bounds
from haochaping.evaluations.models import Evaluation
from haochaping.stats.labels import window_name
from haochaping.supervision import rules
from haochaping.supervision.models import CheckDraw, CheckFinding, CheckItem, CheckPlan
from haochaping.supervision.rules import Candidate, Finding, Stratum
from haochaping.workorders.models import WorkOrderEvent
from haochaping.workorders.rules import Kind, State


def is_office(actor: Actor) -> bool:
    return (not actor.is_client and actor.scope_path is not None
            and actor.allows(access.SUPERVISION, access.READ))


def visible_plans(actor: Actor) -> QuerySet[CheckPlan]:
    """The office: every plan of its subtree. A department: published plans that cover
    its org. Anyone else: none."""
    plans = CheckPlan.objects.select_related("scope").order_by("-end", "-pk")
    if actor.is_client or actor.scope_path is None:
        return plans.none()
    if is_office(actor):
        return plans.filter(scope_path__startswith=actor.scope_path)
    if not actor.allows(access.STATS, access.READ):
        return plans.none()
    covering = [actor.scope_path[:i + 1] for i, ch in enumerate(actor.scope_path) if ch == "/"]
    return plans.filter(published_at__isnull=False, scope_path__in=covering)


def plan_get(actor: Actor, pk: int) -> CheckPlan:
    plan = visible_plans(actor).filter(pk=pk).first()
    if plan is None:
        raise NotFound("supervision.plan_not_found", "核查计划不存在或尚未发布通报")
    return plan


def visible_items(actor: Actor, plan: CheckPlan) -> QuerySet[CheckItem]:
    """The plan's items the actor may read (a department: its own subtree's only)."""
    items = (CheckItem.objects.filter(draw__plan=plan)
             .select_related("org", "window", "window__hall", "evaluation", "order",
                             "finding")
             .order_by("org__name", "stratum", "pk"))
    if is_office(actor):
        return items
    if plan.published_at is None:
        return items.none()
    return items.filter(org__path__startswith=actor.scope_path or NOWHERE)


def office_item(actor: Actor, pk: int) -> CheckItem:
    if not is_office(actor):
        raise PermissionDenied("forbidden.role", "只有政务服务管理机构可以核查抽查")
    scope = actor.scope_path or NOWHERE
    item = (CheckItem.objects.filter(pk=pk, draw__plan__scope_path__startswith=scope)
            .select_related("draw__plan", "evaluation", "order").first())
    if item is None:
        raise NotFound("supervision.item_not_found", "核查对象不存在或无权查看")
    return item


# --- candidates and replay ----------------------------------------------------------------

def candidates(plan: CheckPlan, at: datetime) -> list[Candidate]:
    """What the plan's draw chooses from, as it stood at ``at``: ratings made in the
    period that were current and valid then (ratings are insert-only and their markers
    carry times, so the set never changes afterwards), and bad-review orders of the
    subtree closed in the period before ``at`` (from their append-only events)."""
    since, _ = day_bounds(plan.start)
    _, until = day_bounds(plan.end)
    until = min(until, at)
    found: list[Candidate] = []
    rates = plan_rates(plan)
    if any(rates[s] for s in (Stratum.GOOD, Stratum.BAD, Stratum.DEFAULT)):
        ratings = (Evaluation.objects
                   .filter(org__path__startswith=plan.scope_path, created_at__gte=since,
                           created_at__lt=until, stage__isnull=True)
                   .filter(Q(superseded_at__isnull=True) | Q(superseded_at__gte=at))
                   .filter(Q(invalidated_at__isnull=True) | Q(invalidated_at__gte=at))
                   .values_list("pk", "level", "is_default", "org_id", "channel", "window_id"))
        for pk, level, is_default, org, channel, window in ratings:
            found.append(Candidate(rules.stratum_of(level, is_default), pk, org, channel,
                                   window or 0))
    if rates[Stratum.ORDER]:
        closed = (WorkOrderEvent.objects
                  .filter(to_status=State.CLOSED.value, at__gte=since, at__lt=until,
                          order__kind=Kind.BAD_REVIEW.value,
                          order__org_path__startswith=plan.scope_path)
                  .values_list("order_id", "order__org_id").distinct())
        found.extend(Candidate(Stratum.ORDER, pk, org) for pk, org in closed)
    return found


def plan_rates(plan: CheckPlan) -> dict[Stratum, int]:
    return {Stratum.GOOD: plan.rate_good, Stratum.BAD: plan.rate_bad,
            Stratum.DEFAULT: plan.rate_default, Stratum.ORDER: plan.rate_order}


@dataclass(frozen=True)
class Replay:
    same_candidates: bool
    same_items: bool
    items: int


def draw_replay(draw: CheckDraw) -> Replay:
    """Run the recorded draw again from its seed and rates over the candidates as they
    stood when it was drawn: the same set (digest) and the same items."""
    pool = candidates(draw.plan, draw.drawn_at)
    again = rules.draw(pool, rates=plan_rates(draw.plan), seed=draw.seed)
    stored = {f"{i.stratum}:{i.evaluation_id or i.order_id}"
              for i in draw.items.all()}
    return Replay(same_candidates=rules.candidates_digest(pool) == draw.digest,
                  same_items={c.key for c in again} == stored, items=len(stored))


# --- figures and the 通报 -----------------------------------------------------------------

def _findings(actor: Actor, plan: CheckPlan) -> QuerySet[CheckFinding]:
    items = visible_items(actor, plan)
    return (CheckFinding.objects.filter(item__in=items)
            .select_related("item__org", "item__window", "item__window__hall"))


def figures_by_org(actor: Actor, plan: CheckPlan) -> dict[str, rules.Figures]:
    return rules.figures_by((f.item.org.name, Finding(f.finding))
                            for f in _findings(actor, plan))


def figures_by_window(actor: Actor, plan: CheckPlan) -> dict[str, rules.Figures]:
    return rules.figures_by((window_name(f.item.window), Finding(f.finding))
                            for f in _findings(actor, plan) if f.item.window is not None)


def figures_total(actor: Actor, plan: CheckPlan) -> rules.Figures:
    return rules.figures(Finding(f) for f in _findings(actor, plan)
                         .values_list("finding", flat=True))


def scope_org(actor: Actor) -> Org | None:
    return Org.objects.filter(pk=actor.org_id).first() if actor.org_id else None


def panel(actor: Actor) -> dict[str, object] | None:
    """The home page's 核查抽查 panel: the two figures of the latest drawn plan the actor
    may read (a department: the latest published one), or None."""
    plan = visible_plans(actor).filter(draw__isnull=False).first()
    if plan is None:
        return None
    total = figures_total(actor, plan)
    return {"plan": plan, "total": total,
            "consistency": rules.percent(total.consistency_rate),
            "verification": rules.percent(total.verification_rate)}
