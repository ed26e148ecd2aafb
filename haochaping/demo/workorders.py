"""Bad-review work orders in every state (issue 4 "The demo contains orders in every state").

The demo's ratings are bulk-inserted, so ``evaluation_submit``'s on-commit hook never ran:
this step opens the order of every valid bad review through the engine's own opening
service and walks them through the real step services, as the departments' handlers and
the city supervisor, with ``now=`` in the past. The newest bad reviews stay open in every
state of ``workorders.rules.State`` (plus a pending extension, a rejected appeal and
overdue orders), one is voided by an upheld appeal, and the older ones were closed months
ago, a couple of them marked typical cases (典型案例): one published with the text the
service composes, one with the office's own write-up (both redacted by the service).
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from haochaping.accounts.roles import Role
from haochaping.accounts.scoping import Actor, actor_for_user, security_actor
from haochaping.accounts.services import user_create
from haochaping.catalog.models import Org
from haochaping.catalog.rules import calendar
from haochaping.catalog.rules.standards import BAD_LEVEL_MAX
from haochaping.catalog.services.policy import policy_override_set
from haochaping.demo import casework, relay
from haochaping.demo.casework import Texts
from haochaping.demo.geo import Locality
from haochaping.demo.logins import DEMO_PASSWORD
from haochaping.demo.names import NameMaker
from haochaping.evaluations.models import Evaluation
from haochaping.notify.models import OutboxMessage
from haochaping.workorders import services as wo
from haochaping.workorders.models import WorkOrder

# The city's closing-the-loop policy on top of the preset, so every state is reachable.
CITY_POLICY: tuple[tuple[str, object, str], ...] = (
    ("qa_required", True, "演示：整改答复经管理机构质检通过后反馈评价人（seed 003 §5）"),
    ("callback_required", True, "演示：差评回访率 100%（seed 003 §18）"),
    ("rectify_extension_allowed", True, "演示：无法按期整改的，说明理由另定期限（seed 000 §9）"),
)
WALK_MAX = 300  # orders walked through the services; older ones are only opened
OVERDUE_AGE = timedelta(days=30)  # old enough that any rectification limit has passed
HANDLER_PREFIX = "handler_"


@dataclass
class Walk:
    """The moments of one order's steps: spread over the time since dispatch, never
    later than a minute before the build's ``now``."""

    start: datetime
    end: datetime
    gap: timedelta
    k: int = 0

    def next(self) -> datetime:
        self.k += 1
        return min(self.start + self.gap * self.k, self.end)


@dataclass
class Walker:
    admin: Actor
    office: Actor
    names: NameMaker
    rng: random.Random
    now: datetime
    handlers: dict[int, Actor] = field(default_factory=dict)
    shown: dict[str, int] = field(default_factory=dict)  # scenario -> first order id

    def handler(self, org: Org) -> Actor:
        actor = self.handlers.get(org.pk)
        if actor is None:
            username = f"{HANDLER_PREFIX}{len(self.handlers):02d}"
            user = user_create(actor=security_actor("demo"), username=username,
                               password=DEMO_PASSWORD,
                               role=Role.HANDLER.value, org=org, full_name=self.names.person())
            actor = self.handlers[org.pk] = actor_for_user(user)
        relay.handler_phone(actor, org.pk)
        return actor


Step = Callable[[Walker, WorkOrder, Actor, Texts, Walk], WorkOrder]


def _sign(w: Walker, o: WorkOrder, h: Actor, t: Texts, at: Walk) -> WorkOrder:
    complexity = "simple" if o.pk % 3 == 0 else "complex"
    return wo.workorder_sign(actor=h, order=o, complexity=complexity, now=at.next())


def _callback(w: Walker, o: WorkOrder, h: Actor, t: Texts, at: Walk) -> WorkOrder:
    """Through the privacy-number relay (demo.relay), as the departments call back."""
    return relay.relay_callback(o, h, t.callback, at.next())


def _unreached(w: Walker, o: WorkOrder, h: Actor, t: Texts, at: Walk) -> WorkOrder:
    moment = at.next()
    return wo.workorder_callback(actor=h, order=o, method="phone", reached=False,
                                 summary=casework.CALLBACK_UNREACHED, called_at=moment,
                                 now=moment)


def _verify(w: Walker, o: WorkOrder, h: Actor, t: Texts, at: Walk) -> WorkOrder:
    return wo.workorder_verify(actor=h, order=o, findings=t.findings, now=at.next())


def _rectify(w: Walker, o: WorkOrder, h: Actor, t: Texts, at: Walk) -> WorkOrder:
    return wo.workorder_rectify(actor=h, order=o, measures=t.measures, result=t.result,
                                now=at.next())


def _reply(w: Walker, o: WorkOrder, h: Actor, t: Texts, at: Walk) -> WorkOrder:
    return wo.workorder_reply(actor=h, order=o, text=t.reply, now=at.next())


def _pass(w: Walker, o: WorkOrder, h: Actor, t: Texts, at: Walk) -> WorkOrder:
    return wo.workorder_review(actor=w.office, order=o, passed=True, reasons=t.qa_note,
                               now=at.next())


def _return(w: Walker, o: WorkOrder, h: Actor, t: Texts, at: Walk) -> WorkOrder:
    return wo.workorder_review(actor=w.office, order=o, passed=False, reasons=t.return_reason,
                               now=at.next())


def _satisfied(w: Walker, o: WorkOrder, h: Actor, t: Texts, at: Walk) -> WorkOrder:
    return wo.workorder_transition(actor=w.office, order=o, action="satisfaction",
                                   payload={"satisfied": o.pk % 5 != 0}, now=at.next())


def _typical(w: Walker, o: WorkOrder, h: Actor, t: Texts, at: Walk) -> WorkOrder:
    """Published with the text composed (and redacted) by the service."""
    return wo.workorder_mark_typical(actor=w.office, order=o, now=at.next())


def _typical_edited(w: Walker, o: WorkOrder, h: Actor, t: Texts, at: Walk) -> WorkOrder:
    """Published with the office's own write-up, redacted by the same service."""
    return wo.workorder_mark_typical(actor=w.office, order=o, now=at.next(),
                                     public_text=casework.typical_text(t))


def _extension(w: Walker, o: WorkOrder, h: Actor, t: Texts, at: Walk) -> WorkOrder:
    moment = at.next()
    due = o.rectify_due_at or moment
    day = max(calendar.local_day(due), calendar.local_day(w.now)) + timedelta(days=10)
    return wo.workorder_extension_request(actor=h, order=o, new_due_date=day,
                                          reason=t.extension_reason, now=moment)


def _grant(w: Walker, o: WorkOrder, h: Actor, t: Texts, at: Walk) -> WorkOrder:
    return wo.workorder_extension_decide(actor=w.office, order=o, grant=True,
                                         note=casework.EXTENSION_NOTE, now=at.next())


def _appeal(w: Walker, o: WorkOrder, h: Actor, t: Texts, at: Walk) -> WorkOrder:
    grounds = "malicious" if "恶意" in t.appeal_evidence else "untrue"
    return wo.workorder_appeal_file(actor=h, order=o, grounds=grounds,
                                    evidence=t.appeal_evidence, now=at.next())


def _uphold(w: Walker, o: WorkOrder, h: Actor, t: Texts, at: Walk) -> WorkOrder:
    return wo.workorder_appeal_rule(actor=w.office, order=o, upheld=True,
                                    reason=casework.APPEAL_UPHELD, now=at.next())


def _reject(w: Walker, o: WorkOrder, h: Actor, t: Texts, at: Walk) -> WorkOrder:
    return wo.workorder_appeal_rule(actor=w.office, order=o, upheld=False,
                                    reason=casework.APPEAL_REJECTED, now=at.next())


_WORK = (_sign, _callback, _verify, _rectify)
_CLOSE = (*_WORK, _reply, _pass)
SCENARIOS: dict[str, tuple[Step, ...]] = {
    "dispatched": (),
    "signed": (_sign, _callback, _verify),
    "replied": (*_WORK, _reply),
    "extension_requested": (_sign, _callback, _extension),
    "returned": (*_WORK, _reply, _return),
    "appealing": (_appeal,),
    "appeal_rejected": (_appeal, _reject, _callback, _verify),
    "extension_granted": (_sign, _callback, _extension, _grant, _verify),
    "voided": (_appeal, _uphold),
    "overdue": (_sign, _callback),
    "closed": (*_CLOSE, _satisfied),
    "closed_after_return": (*_WORK, _reply, _return, _rectify, _reply, _pass, _satisfied),
    "closed_unreached_first": (_sign, _unreached, _callback, _verify, _rectify, _reply, _pass),
    "typical": (*_CLOSE, _satisfied, _typical),
    "typical_edited": (*_CLOSE, _satisfied, _typical_edited),
}
# The newest bad reviews, in this order, get these; then one overdue order, then closed.
NEWEST = ("dispatched", "signed", "replied", "extension_requested", "returned", "appealing",
          "appeal_rejected", "extension_granted", "voided", "dispatched", "signed", "replied")
TYPICAL = 2


def _plan(evaluations: list[Evaluation], now: datetime) -> list[str]:
    """One scenario per evaluation (newest first)."""
    plan = list(NEWEST[:len(evaluations)])
    rest = len(evaluations) - len(plan)
    plan += ["closed"] * rest
    old = [i for i, e in enumerate(evaluations) if i >= len(NEWEST)
           and e.created_at < now - OVERDUE_AGE]
    for n, i in enumerate(old[1:]):
        plan[i] = ("typical" if n == 0 else "typical_edited" if n < TYPICAL
                   else "closed_after_return" if n % 5 == 3
                   else "closed_unreached_first" if n % 7 == 5 else "closed")
    if old:
        plan[old[0]] = "overdue"
    return plan


def _walk(w: Walker, evaluation: Evaluation, scenario: str) -> WorkOrder | None:
    dispatch = min(evaluation.created_at + timedelta(minutes=w.rng.uniform(0.5, 3)),
                   w.now - timedelta(minutes=30))
    order = wo.workorder_open_for_evaluation(evaluation, now=dispatch)
    if order is None:
        return None
    handler = w.handler(order.org)  # every order's department has a login that sees it
    steps = SCENARIOS[scenario]
    if not steps:
        return order
    end = w.now - timedelta(minutes=1)
    gap = min(timedelta(hours=w.rng.uniform(16, 40)), (end - dispatch) / (len(steps) + 1))
    walk = Walk(start=dispatch, end=end, gap=gap)
    texts = casework.draw(w.rng)
    for fn in steps:
        order = fn(w, order, handler, texts, walk)
    return order


def _escalate(now: datetime) -> str:
    """The overdue sweep (workorders.services.clocks, the worker's job) marks and escalates
    the orders whose limits ran out, exactly as the worker would."""
    try:
        clocks = importlib.import_module("haochaping.workorders.services.clocks")
    except ModuleNotFoundError:
        return ""
    sweep = getattr(clocks, "sweep_overdue", None)
    return f"，{sweep(now)}" if callable(sweep) else ""


def build_workorders(*, locality: Locality, users: dict[str, Any], names: NameMaker,
                     rng: random.Random, now: datetime,
                     step: Callable[[str], None]) -> dict[str, int]:
    admin = actor_for_user(users["admin"])
    for key, value, note in CITY_POLICY:
        policy_override_set(actor=admin, org=locality.office, key=key, value=value, note=note)
    w = Walker(admin=admin, office=actor_for_user(users["supervisor"]), names=names, rng=rng,
               now=now)
    w.handlers[users["handler"].org_id] = actor_for_user(users["handler"])
    relay.handler_phone(w.handlers[users["handler"].org_id], users["handler"].org_id)
    bad = list(Evaluation.objects.filter(
        level__lte=BAD_LEVEL_MAX, is_current=True, is_default=False, invalidated_at__isnull=True)
        .select_related("org").order_by("-created_at", "-pk"))
    plan = _plan(bad, now)
    first_message = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    opened = 0
    for i, (evaluation, scenario) in enumerate(zip(bad, plan, strict=True)):
        order = _walk(w, evaluation, scenario if i < WALK_MAX else "dispatched")
        if order is not None:
            opened += 1
            w.shown.setdefault(scenario, order.pk)
    revealed = relay.office_reveals(
        w.office, list(WorkOrder.objects.filter(evaluation__isnull=False, status__in=(
            "signed", "replied", "returned")).order_by("-pk")), now)
    swept = _escalate(now)
    # The demo has no SMS gateway: the replies and notices went to the console.
    OutboxMessage.objects.filter(pk__gt=first_message, status="pending").update(
        status="sent", attempts=1, sent_at=now, provider_id="demo-console")
    step(f"  差评工单 {opened} 件（{len(w.handlers)} 个承办部门账号，隐私号回访；"
         f"管理机构查看评价人 {revealed} 次）{swept}")
    return {"work_orders": opened, "handler_logins": len(w.handlers)}
