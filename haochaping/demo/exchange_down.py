"""The downward exchange in the demo (issue 13, seed 004 §2–3): what the provincial
platform sends the locality, taken by the inbound exchange's own services.

- a rating made on the provincial app for one of the completed handlings, stored as our
  rating with the province's channel code (pf 2);
- a rating for a handling the business system has not reported yet, parked until it
  arrives (上级转办 › 待匹配评价);
- four items the province forwarded (seed 004 §3): a complaint still waiting for the
  office, a complaint the office dispatched to the market department (an open work order),
  an inquiry answered, checked and closed, whose outcome is queued in the outbox for the
  province (sent when ``make run``'s worker reaches a remote at its address), and a
  suggestion.

The batches are built here as the codec would decode them (the demo has no keys of a real
province), and go through ``batch_accept`` like any request the API accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q

from haochaping.accounts.scoping import actor_for_user
from haochaping.demo.geo import Locality
from haochaping.demo.showcase import DEMO_PROJ_PREFIX
from haochaping.exchange.inbound.forwarded import forwarded_dispatch
from haochaping.exchange.inbound.receive import batch_accept
from haochaping.exchange.models import ForwardedItem, InboundRating, ParkedRating, Remote
from haochaping.exchange.profiles_store import profile_get
from haochaping.exchange.rules.canonical import ComplaintRecord, Identity, Kind, RatingRecord
from haochaping.exchange.rules.codec import Batch
from haochaping.handlings.models import Handling
from haochaping.workorders import services as wo

REMOTE = {"name": "henan", "label": "河南省一体化在线政务服务平台", "profile": "national",
          "base_url": "http://127.0.0.1:8765/", "key_env": "HENAN"}
PENDING_PROJ_NO = "HN-DEMO-PENDING-0001"
ITEMS = (  # (remote id, kind, hours ago, content, submitter)
    ("HN-TS-20260001", "complaint", 20,
     "在市民服务中心办理食品经营许可时，窗口要求提供办事指南以外的房屋产权证明，来回跑了两趟。",
     Identity(name="刘桂英", phone="13700001111")),
    ("HN-TS-20260002", "complaint", 70, "网上预约后到大厅仍需重新取号排队，等了一个多小时。",
     Identity(name="陈建国", phone="13700002222")),
    ("HN-ZX-20260003", "inquiry", 120, "个体工商户变更经营范围需要准备哪些材料，能否全程网办？",
     Identity(name="王海燕", phone="13700003333")),
    ("HN-JY-20260004", "suggestion", 6, "建议在大厅增加自助打印设备，方便群众打印申请表。",
     Identity()),
)


def _rating(rating_id: str, proj_no: str, org_code: str, at: datetime) -> RatingRecord:
    return RatingRecord(
        rating_id=rating_id, proj_no=proj_no, org_code=org_code, region_code="",
        channel="app", level=5, content_codes=("514", "517"), text="手机上就办好了，服务很热情。",
        assessed_at=at, assess_number=1, is_default=False, stage_code="", rater=Identity())


def build_exchange_down(*, locality: Locality, users: dict[str, Any], now: datetime,
                        step: Callable[[str], None]) -> dict[str, int]:
    remote, _ = Remote.objects.get_or_create(name=REMOTE["name"], defaults=REMOTE)
    profile = profile_get(remote.profile)
    market = locality.departments["market"]
    now = now.replace(microsecond=0)
    # A completed, unrated handling nobody else in the demo uses (not the showcase's, and
    # preferably not one with an invitation out: after a weekend or a holiday every unrated
    # one may have an invitation, and the rating through the province then answers it).
    open_ = (Handling.objects.filter(status="completed", rated_at__isnull=True,
                                     completed_at__lt=now - timedelta(hours=2))
             .filter(Q(rating_closes_at__isnull=True) | Q(rating_closes_at__gt=now))
             .exclude(proj_no__startswith=DEMO_PROJ_PREFIX)
             .select_related("org").order_by("-completed_at"))
    unrated = open_.filter(invitations__isnull=True).first() or open_.first()
    ratings: list[tuple[str, Any]] = []
    if unrated is not None and unrated.completed_at is not None:
        at = min(unrated.completed_at + timedelta(hours=1), now - timedelta(minutes=10))
        ratings.append((f"rating:HN-PJ-{unrated.pk:08d}:saved:1",
                        _rating(f"HN-PJ-{unrated.pk:08d}", unrated.proj_no,
                                unrated.org.code, at.replace(microsecond=0))))
    ratings.append(("rating:HN-PJ-PENDING-1:saved:1",
                    _rating("HN-PJ-PENDING-1", PENDING_PROJ_NO, market.code,
                            now - timedelta(hours=3))))
    batch_accept(remote=remote, profile=profile, kind=Kind.RATING, now=now,
                 batch=Batch(nonce="demo-ratings-0001", sent_at=now, items=ratings))
    for n, (ref, kind, hours, content, person) in enumerate(ITEMS, start=1):
        received = now - timedelta(hours=hours)
        record = ComplaintRecord(
            remote_id=ref, kind=kind, org_code=market.code if kind != "suggestion" else "",
            matter_code="", proj_no="", content=content, submitter=person,
            received_at=received)
        arrived = received + timedelta(minutes=5)  # forwarded by the province soon after
        batch_accept(remote=remote, profile=profile, kind=Kind.COMPLAINT, now=arrived,
                     batch=Batch(nonce=f"demo-forwarded-{n:04d}", sent_at=arrived,
                                 items=[(f"complaint:{ref}:saved:1", record)]))
    _work(users, market, now)
    counts = {"inbound_ratings": InboundRating.objects.filter(status="stored").count(),
              "parked_ratings": ParkedRating.objects.count(),
              "forwarded_items": ForwardedItem.objects.count()}
    step(f"  上级平台评价 {counts['inbound_ratings']} 条入库、{counts['parked_ratings']} 条待匹配；"
         f"转办诉求 {counts['forwarded_items']} 件")
    return counts


def _work(users: dict[str, Any], market: Any, now: datetime) -> None:
    """The office dispatches two items to the market department, which answers both; the
    head approves the inquiry's answer, the office's QA passes it and its outcome waits to
    go back; the complaint's answer waits for the head (审阅)."""
    office = actor_for_user(users["supervisor"])
    handler = actor_for_user(users["handler"])
    items = {i.remote_ref: i for i in ForwardedItem.objects.filter(
        remote_ref__in=["HN-TS-20260002", "HN-ZX-20260003"])}
    dispatched = forwarded_dispatch(actor=office, item=items["HN-TS-20260002"], org=market,
                                    now=now - timedelta(hours=68))
    if dispatched.work_order is not None:  # answered, waiting for the head's 审阅
        signed = wo.workorder_sign(actor=handler, order=dispatched.work_order,
                                   now=now - timedelta(hours=60))
        wo.workorder_reply(actor=handler, order=signed, now=now - timedelta(hours=40),
                           parts={"investigation": "调取窗口记录，核实材料告知情况",
                                  "process": "约谈窗口负责人，电话联系投诉人说明情况",
                                  "measures": "修订一次性告知单，组织窗口人员培训",
                                  "result": "投诉人已补齐材料并办结"})
    answered = forwarded_dispatch(actor=office, item=items["HN-ZX-20260003"], org=market,
                                  now=now - timedelta(hours=118))
    order = answered.work_order
    if order is None:
        return
    at = now - timedelta(hours=110)
    order = wo.workorder_sign(actor=handler, order=order, complexity="simple", now=at)
    order = wo.workorder_callback(actor=handler, order=order, method="phone", reached=True,
                                  summary="电话联系咨询人，确认其需变更经营范围。",
                                  called_at=at + timedelta(hours=1), now=at + timedelta(hours=1))
    order = wo.workorder_rectify(actor=handler, order=order,
                                 measures="梳理变更登记材料清单并在网上办事大厅公布",
                                 result="已一次性告知材料，可全程网办",
                                 now=at + timedelta(hours=2))
    order = wo.workorder_reply(
        actor=handler, order=order, now=at + timedelta(hours=3),
        parts={"investigation": "电话联系咨询人，确认其需变更经营范围",  # seed 004 §6(二)
               "process": "梳理变更登记材料清单并告知咨询人",
               "measures": "在网上办事大厅公布变更登记材料清单",
               "result": "已一次性告知材料，咨询人可全程网办"},
        text="变更经营范围需提交变更登记申请书和营业执照，可通过网上办事大厅全程网办，无需到现场。")
    if order.status == "approving":  # the department head's 审阅 first
        order = wo.workorder_head_review(actor=actor_for_user(users["head"]), order=order,
                                         approved=True, now=at + timedelta(hours=5))
    if order.status == "replied":  # the city's QA (seed 004 §6(二)) before it closes
        wo.workorder_review(actor=office, order=order, passed=True, reasons="答复完整",
                            now=at + timedelta(hours=20))
