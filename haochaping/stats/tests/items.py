"""A small history of 诉求件 for the complaint figures' tests, built through the services
(intake, the work-order engine, the one status writer), and a plain recomputation of
their counts from raw rows that shares nothing with the roll-up SQL."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.rules.calendar import SHANGHAI
from haochaping.complaints.models import SpotCheck, Submission
from haochaping.complaints.rules.kinds import ACCEPTED_STATUSES, Status
from haochaping.complaints.services.intake import Subject, submission_receive
from haochaping.complaints.services.moves import submission_move
from haochaping.stats.rules import local_day
from haochaping.workorders.models import WorkOrder
from haochaping.workorders.services import workorder_redispatch, workorder_sign
from haochaping.workorders.services.clocks import sweep_overdue
from haochaping.workorders.services.requests import workorder_open_request

# A Monday in October, after the National Day holiday.
START = datetime(2026, 10, 12, 9, 0, tzinfo=SHANGHAI)
TEXTS = [
    "我在市场监管局窗口办理营业执照变更，窗口要求提供三次同样的材料，希望说明原因并改进。",
    "请问个体工商户办理食品经营许可证需要准备哪些材料，网上能否全程办理，大约多久办好？",
    "建议政务大厅增加周末预约服务，很多上班族工作日没有时间到窗口办理社保和公积金业务。",
    "社保窗口工作人员在办理退休手续时态度冷淡，多次让我回去补材料却不一次性告知清单。",
    "意见箱反映：大厅自助终端经常故障，打印社保缴费证明时卡纸，希望尽快安排人员维修。",
    "省平台转来的差评：企业开办过程中银行开户环节等待时间过长，希望优化预约和叫号流程。",
    "窗口受理医保异地备案时系统一直提示网络错误，排队两个小时没办成，希望查明原因整改。",
    "不动产登记窗口要求提供的证明材料和网上公布的清单不一致，导致我来回跑了三趟还没办完。",
]


def _receive(kind: str, channel: str, text: str, now: datetime, **subject: Any
             ) -> Submission:
    return submission_receive(kind=kind, channel=channel, content=text,
                              subject=Subject(**subject), phone_index=f"p-{kind}-{text[:4]}",
                              now=now)


def dispatch(item: Submission, supervisor: Any, org: Any, now: datetime) -> WorkOrder:
    """The item's work order at ``org``: the one routed at intake when the department was
    certain (complaints.services.dispatch), else opened by the office now."""
    item.refresh_from_db()
    if item.status == Status.DISPATCHED and item.order is not None:
        assert item.order.org_id == org.pk
        return item.order
    office = actor_for_user(supervisor)
    order = workorder_open_request(actor=office, kind="complaint" if item.kind in (
        "complaint", "bad_review") else item.kind, org=org, text=item.content,
        source=item.ref, now=now)
    submission_move(item, Status.DISPATCHED, action="dispatch", now=now,
                    updates={"order": order})
    return order


def finish(item: Submission, now: datetime) -> None:
    submission_move(item, Status.ANSWERED, action="answer", now=now)
    submission_move(item, Status.CLOSED, action="close", now=now)


def item_history(locality: SimpleNamespace, personas: SimpleNamespace) -> SimpleNamespace:
    """Items of every kind and state: accepted, refused, in hand, closed on time, closed
    late (its order passed a clock), answered, redispatched; two spot checks."""
    t = START
    # First, alone: the order whose clocks run out (the sweep sees no other open order;
    # the items after it are routed at intake, their orders opened at their own times).
    late = _receive("complaint", "walk_in", TEXTS[3], t + timedelta(days=1),
                    org=locality.district_hr, staff=None)
    late_order = dispatch(late, personas.supervisor, locality.district_hr,
                          t + timedelta(days=1, hours=1))
    sweep_overdue(t + timedelta(days=30))
    finish(late, t + timedelta(days=31))
    market = dict(org=locality.market, matter=locality.matter, window=locality.window)
    complaint = _receive("complaint", "web", TEXTS[0], t, **market)
    inquiry = _receive("inquiry", "app", TEXTS[1], t + timedelta(hours=1))
    suggestion = _receive("suggestion", "hotline", TEXTS[2], t + timedelta(hours=2),
                          org=locality.district_hr)
    comment = _receive("comment", "box", TEXTS[4], t + timedelta(days=1))
    forwarded = _receive("bad_review", "province", TEXTS[5], t + timedelta(days=2), **market)
    moved = _receive("complaint", "web", TEXTS[6], t + timedelta(days=2), **market)
    refused = _receive("complaint", "web", "你好？", t + timedelta(days=3))
    handler = actor_for_user(personas.handler)
    order = dispatch(complaint, personas.supervisor, locality.market, t + timedelta(hours=3))
    workorder_sign(actor=handler, order=order, now=t + timedelta(hours=5))
    finish(complaint, t + timedelta(days=4))
    dispatch(forwarded, personas.supervisor, locality.market, t + timedelta(days=2, hours=1))
    moved_order = dispatch(moved, personas.supervisor, locality.market,
                           t + timedelta(days=2, hours=2))
    workorder_redispatch(actor=actor_for_user(personas.supervisor), order=moved_order,
                         org_id=locality.district_hr.pk, now=t + timedelta(days=3))
    sweep_now = t + timedelta(days=31, hours=1)
    for item, satisfied in ((complaint, True), (late, False)):
        SpotCheck.objects.create(submission=item, draw="2026-11", drawn_at=sweep_now,
                                 called_at=sweep_now, reached=True, satisfied=satisfied)
    return SimpleNamespace(complaint=complaint, inquiry=inquiry, suggestion=suggestion,
                           late=late, late_order=late_order, comment=comment,
                           forwarded=forwarded, moved=moved, moved_order=moved_order,
                           refused=refused, order=order, end=sweep_now)


def attributed(item: Submission) -> int:
    return (item.order.org_id if item.order_id else None) or item.org_id or item.office_id


def _key(item: Submission, day: datetime) -> tuple[Any, ...]:
    return (local_day(day), attributed(item), item.hall_id, item.window_id, item.staff_id,
            item.matter_id, item.kind)


Table = dict[tuple[Any, ...], Counter[str]]


def raw_items() -> tuple[Table, Table, Table]:
    """(received, closed, spot checks) counts by the daily tables' key, from raw rows."""
    received: Table = {}
    closed: Table = {}
    spots: Table = {}
    accepted = {s.value for s in ACCEPTED_STATUSES}
    for item in Submission.objects.select_related("order"):
        row = received.setdefault(_key(item, item.received_at), Counter())
        row[f"items_{item.kind}"] += 1
        row["items_accepted"] += item.status in accepted
        row["items_refused"] += item.status == "refused"
        row["complaints_accepted"] += item.kind == "complaint" and item.status in accepted
        if item.closed_at is not None:
            done = closed.setdefault(_key(item, item.closed_at), Counter())
            done["items_closed"] += 1
            done["items_closed_on_time"] += item.order is None or item.order.overdue_at is None
    for check in SpotCheck.objects.select_related("submission__order"):
        if check.called_at is not None:
            row = spots.setdefault(_key(check.submission, check.called_at), Counter())
            row["spot_reached"] += bool(check.reached)
            row["spot_satisfied"] += bool(check.reached and check.satisfied)
    return received, closed, spots


def stored(model: Any, names: tuple[str, ...]) -> Table:
    keys = ("day", "org_id", "hall_id", "window_id", "staff_id", "matter_id", "kind")
    return {tuple(getattr(r, k) for k in keys): Counter({n: getattr(r, n) for n in names})
            for r in model.objects.all()}
