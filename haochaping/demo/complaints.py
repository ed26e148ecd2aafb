"""咨询、投诉、建议、差评 and 综合点评 in the demo (issue 14, seed 004).

Items of every kind from every channel, spread over the six months, each through the
complaints app's own intake (``submission_receive``, which runs the acceptance filter
with the office's demo word list), then moved as the office and the departments would:
refused with a reason of each category of §5 (by the filter or, from the triage queue,
by the office), left in triage, merged, overturned, dispatched as a work order of the
engine, answered after the department head's approval and the office's QA, closed or reopened
by the submitter's verdict. Seeded: the same seed gives the same items.

An accepted item is routed and dispatched at intake when its department is certain
(``services.dispatch``), else the office dispatches it (``submission_dispatch``); the
department replies with the four elements of seed 004 §6(二), its head approves (审阅), the
office's QA passes it and the closing order answers the item (the engine's hook).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model

from haochaping.accounts.scoping import Actor, actor_for_user, security_actor
from haochaping.accounts.services import user_create
from haochaping.audit.services import audit_record
from haochaping.catalog.models import Hall, Matter, Org, Window
from haochaping.complaints.models import FilterWord, Submission
from haochaping.complaints.rules.kinds import Status
from haochaping.complaints.rules.reasons import REASONS
from haochaping.complaints.services.dispatch import submission_dispatch
from haochaping.complaints.services.intake import Subject, submission_receive
from haochaping.complaints.services.moves import submission_move
from haochaping.demo.causes import guess_cause
from haochaping.demo.complaint_texts import (
    FILTER_WORDS,
    INQUIRY_PARTS,
    REPLY_PARTS,
    SCENARIOS,
    TEXTS,
)
from haochaping.demo.logins import DEMO_PASSWORD
from haochaping.demo.names import NameMaker
from haochaping.vault.applicant import check_applicant
from haochaping.vault.services import identity_index_of, phone_index_of, raters_upsert
from haochaping.workorders import services as wo
from haochaping.workorders.models import WorkOrder

BACKGROUND = 90  # items spread over the six months besides the scenarios
DAYS = 180
# channel and kind mixes of the background items (weights)
CHANNELS = {"web": 5, "app": 4, "hotline": 4, "walk_in": 2, "village_qr": 1}
KINDS = {"complaint": 5, "inquiry": 4, "suggestion": 2}
OFFICE_CHANNELS = {"comment": ("box", "forum", "monitor"), "bad_review": ("province",)}
SELF_SERVICE = {"web", "app", "village_qr"}
_NAMES = {n: n for n in ("applicant_kind", "applicant_name", "applicant_id_no",
                         "applicant_phone")}


@dataclass
class Ctx:
    rng: random.Random
    names: NameMaker
    now: datetime
    office: Actor
    monitor: Any
    handlers: dict[int, Actor]  # org id -> the department's handler login
    heads: dict[int, Actor]  # org id -> the department head's login (审阅)
    orgs: list[Org]
    shown: dict[str, str]

    def login(self, org_id: int, role: str) -> Actor:
        """The department's handler or head login, made when the demo first needs it
        (an item may be routed to a department the scenario did not pick)."""
        logins = self.handlers if role == "handler" else self.heads
        if org_id not in logins:
            prefix = "cx_handler" if role == "handler" else "cx_head"
            user = user_create(actor=security_actor("demo"),
                               username=f"{prefix}{len(logins):02d}", password=DEMO_PASSWORD,
                               role=role, org=Org.objects.get(pk=org_id),
                               full_name=self.names.person())
            logins[org_id] = actor_for_user(user)
        return logins[org_id]

    def at(self, start: datetime, hours: float) -> datetime:
        """``hours`` after ``start``, never later than a minute before the build."""
        return min(start + timedelta(hours=hours), self.now - timedelta(minutes=1))


def _words(admin: Any, now: datetime) -> None:
    FilterWord.objects.bulk_create([
        FilterWord(category=REASONS[reason].category.value, reason=reason, word=word,
                   strength=strength, note="演示词表", updated_by=admin, updated_at=now)
        for word, reason, strength in FILTER_WORDS], ignore_conflicts=True)  # beside defaults
    audit_record(action="demo.complaint_filter_words", actor=admin, actor_label="demo",
                 after={"words": len(FILTER_WORDS)})


def _person(c: Ctx) -> tuple[int, str]:
    phone = f"1{c.rng.choice('3578')}{c.rng.randrange(10 ** 9):09d}"
    app, _ = check_applicant("1", c.names.person(), "", "", phone, _NAMES)
    assert app is not None
    index = identity_index_of(app)
    return raters_upsert({index: app})[index], phone_index_of(app.phone)


def _subject(c: Ctx, org: Org, *, window: bool = False) -> tuple[Subject, str, str]:
    matters = list(Matter.objects.filter(org=org, is_active=True).order_by("pk")[:50])
    matter = c.rng.choice(matters) if matters else None
    win = Window.objects.filter(org=org).select_related("hall").order_by("pk").first()
    hall = win.hall.name if win else "市民服务中心"
    chosen = win if window else None
    return (Subject(org=org, matter=matter, window=chosen,
                    hall=chosen.hall if chosen else None),
            hall, matter.name if matter else "相关事项")


def _receive(c: Ctx, *, kind: str, channel: str, text: str, subject: Subject,
             when: datetime, urgency: str = "normal") -> Submission:
    rater, phone = (None, "")
    if channel in {"box", "forum", "province"}:  # some cards and forwards are anonymous
        if c.rng.random() < 0.3:
            rater, phone = _person(c)
    elif channel != "monitor":  # a monitor files under their account (no phone here)
        rater, phone = _person(c)
    office_entry = channel in {"hotline", "walk_in", "box", "forum"}
    filed_by = c.monitor if channel == "monitor" else c.office.user if office_entry else None
    reply = "remote" if channel == "province" else "sms" if phone else "app"
    return submission_receive(kind=kind, channel=channel, content=text, subject=subject,
                              submitter_id=rater, phone_index=phone, reply_channel=reply,
                              urgency=urgency, filed_by=filed_by, now=when,
                              cause=guess_cause(text) if kind != "comment" else "")


def _decide(c: Ctx, item: Submission, target: Status, reason: str, when: datetime) -> None:
    if item.status not in {Status.TRIAGE.value, Status.ACCEPTED.value} \
            or item.status == target.value:  # the filter (or routing) already decided it
        return
    why = REASONS.get(reason)
    note = f"不予受理：{why.explanation}{why.where}" if why else "经人工分拣，予以受理"
    submission_move(item, target, action="refuse" if why else "accept", now=when,
                    actor=c.office.user, actor_label=c.office.label, public_note=note,
                    note="管理机构人工分拣", updates={"reason": reason, "decided_at": when,
                                               "decided_by": c.office.user})


def _dispatch(c: Ctx, item: Submission, org: Org, when: datetime) -> WorkOrder | None:
    """The item's order: the one opened at intake, or the office dispatches it now to
    ``org`` when that lies in the receiving office's subtree (else it keeps waiting)."""
    if item.status == Status.ACCEPTED.value and org.path.startswith(item.office_path):
        submission_dispatch(item, actor=c.office, org=org, now=when)
    item.refresh_from_db()
    return item.order


def _answer(c: Ctx, item: Submission, order: WorkOrder, start: datetime) -> datetime:
    """The department signs and replies with the four elements, its head approves, the
    office's QA passes it: the order closes and the engine's hook answers the item."""
    h = c.login(order.org_id, "handler")
    inquiry = item.kind == "inquiry"
    order = wo.workorder_sign(actor=h, order=order, complexity="simple" if inquiry
                              else "complex", now=c.at(start, 3))
    parts = dict(INQUIRY_PARTS if inquiry else REPLY_PARTS)
    order = wo.workorder_reply(actor=h, order=order, parts=parts, now=c.at(start, 75))
    if order.status == "approving":
        order = wo.workorder_head_review(actor=c.login(order.org_id, "dept_head"),
                                         order=order, approved=True, now=c.at(start, 80))
    done = c.at(start, 90)
    if order.status == "replied":  # the office's QA (seed 004 §6(二)) before it closes
        wo.workorder_review(actor=c.office, order=order, passed=True,
                            reasons="答复四要素齐全", now=done)
    item.refresh_from_db()  # answered by the closing order (complaints' engine hook)
    return done


def _verdict(c: Ctx, item: Submission, when: datetime, *, resolved: bool) -> None:
    level = c.rng.choice((4, 5)) if resolved else 2
    note = "已办结，感谢您的评价" if resolved else "您认为未解决，已转管理机构复核"
    submission_move(item, Status.CLOSED if resolved else Status.REOPENED,
                    action="rate_answer", now=when, actor_label="诉求人", public_note=note,
                    updates={"resolved": resolved, "answer_level": level,
                             "answer_rated_at": when})


def _walk(c: Ctx, item: Submission, org: Org, outcome: str) -> None:
    """Take an accepted item as far as ``outcome``."""
    if outcome == "accepted" or item.status not in {Status.ACCEPTED.value,
                                                     Status.DISPATCHED.value}:
        return
    order = _dispatch(c, item, org, c.at(item.received_at, 2))
    if order is None or outcome == "dispatched":
        return
    if outcome == "signed":
        wo.workorder_sign(actor=c.login(order.org_id, "handler"), order=order,
                          complexity="complex",
                          now=c.at(item.received_at, 4))
        return
    done = _answer(c, item, order, item.received_at)
    if outcome in {"closed", "reopened"}:
        _verdict(c, item, c.at(done, 30), resolved=outcome == "closed")


def _outcome(age_days: float, rng: random.Random) -> str:
    if age_days > 20:
        return "reopened" if rng.random() < 0.06 else "closed"
    return rng.choice(("accepted", "dispatched", "signed", "answered", "closed"))


def _scenarios(c: Ctx, market: Org, staff: Any) -> None:
    for n, (key, kind, channel, text, outcome) in enumerate(SCENARIOS):
        when = c.now - timedelta(days=2 + n * 3, hours=c.rng.uniform(0, 8))
        window = Window.objects.filter(pk=staff.window_id).first()
        subject = Subject(org=market, window=window, staff=staff,
                          hall=window.hall if window else None) \
            if key == "overturned" else Subject(org=market)
        if channel == "village_qr":
            hall = Hall.objects.filter(level="village").order_by("pk").first()
            subject = Subject(hall=hall, region=hall.region if hall else None)
        elif outcome.startswith("refuse:"):
            # No department named: an item the filter lets through waits for the office
            # (待交办), which refuses it; one naming the market department would be routed.
            subject = Subject(text="市民服务中心")
        item = _receive(c, kind=kind, channel=channel, text=text, subject=subject, when=when)
        later = c.at(when, 5)
        if outcome.startswith("refuse:"):
            _decide(c, item, Status.REFUSED, outcome.split(":")[1], later)
        elif outcome == "accept_triage":
            _decide(c, item, Status.ACCEPTED, "", later)
            _walk(c, item, market, "dispatched")
        elif outcome == "overturn" and item.status == Status.REFUSED.value:
            submission_move(item, Status.ACCEPTED, action="overturn", now=later,
                            actor=c.office.user, actor_label=c.office.label,
                            public_note="经复核，您的投诉予以受理",
                            note="“废物”系诉求人转述工作人员原话，不属于侮辱谩骂",
                            updates={"reason": "", "decided_at": later,
                                     "decided_by": c.office.user})
            _walk(c, item, market, "signed")
        c.shown[key] = item.ref


def _merged(c: Ctx, market: Org) -> None:
    text = "在市民服务中心自助机上打印营业执照副本时机器吞卡，工作人员说要等厂家，已经三天了。"
    when = c.now - timedelta(days=9)
    first = _receive(c, kind="complaint", channel="web", text=text,
                     subject=Subject(org=market), when=when)
    again = submission_receive(kind="complaint", channel="app", content=text,
                               subject=Subject(org=market), submitter_id=first.submitter_id,
                               phone_index=first.phone_index, now=when + timedelta(days=1))
    c.shown["merged"] = again.ref


def build_complaints(*, users: dict[str, Any], names: NameMaker, seed: int, now: datetime,
                     staff: Any, market: Org, step: Callable[[str], None]) -> dict[str, int]:
    rng = random.Random(f"{seed}:complaints")
    handler_users = get_user_model().objects.filter(role="handler", is_active=True,
                                                    org__kind="handling").order_by("pk")
    handlers: dict[int, Actor] = {u.org_id: actor_for_user(u) for u in handler_users
                                  if u.org_id is not None}
    orgs = list(Org.objects.filter(pk__in=handlers).order_by("path"))
    c = Ctx(rng=rng, names=names, now=now.replace(microsecond=0),
            office=actor_for_user(users["supervisor"]), monitor=users["monitor"],
            handlers=handlers, heads={}, orgs=orgs, shown={})
    _words(users["admin"], c.now)
    for i in range(BACKGROUND):
        age = DAYS * (i + 0.5) / BACKGROUND
        when = c.now - timedelta(days=age, hours=rng.uniform(0, 6))
        org = orgs[rng.randrange(len(orgs))]
        if i % 9 == 4:
            kind, channel = "comment", OFFICE_CHANNELS["comment"][(i // 9) % 3]
        elif i % 15 == 7:
            kind, channel = "bad_review", "province"
        elif i % 17 == 10:  # a civic tool filing over Open311 GeoReport v2
            kind, channel = ("complaint", "suggestion")[i % 2], "open311"
        else:
            kind = rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
            channel = rng.choices(list(CHANNELS), weights=list(CHANNELS.values()))[0]
        subject, hall, matter = _subject(c, org, window=kind in {"complaint", "bad_review"})
        if kind == "complaint" and i % 11 == 3:  # a planted staff subject (seed 004 §10)
            subject = Subject(org=market, staff=staff, window=staff.window,
                              hall=staff.window.hall if staff.window else None)
            org = market
        text = rng.choice(TEXTS[kind]).format(hall=hall, matter=matter)
        item = _receive(c, kind=kind, channel=channel, text=text, subject=subject,
                        when=when, urgency="urgent" if i % 13 == 5 else "normal")
        _walk(c, item, org, _outcome(age, rng))
    _scenarios(c, market, staff)
    _merged(c, market)
    counts = {f"complaints_{s}": n for s, n in _by_status().items()}
    step(f"  诉求件 {Submission.objects.count()} 件（{_summary()}）")
    return {"complaints": Submission.objects.count(), **counts}


def _by_status() -> dict[str, int]:
    found: dict[str, int] = {}
    for status in Submission.objects.values_list("status", flat=True):
        found[status] = found.get(status, 0) + 1
    return found


def _summary() -> str:
    return "，".join(f"{Status(s).label} {n}" for s, n in sorted(_by_status().items()))
