"""A September of ratings at the market department (8 good, 3 bad; the bad ones open
work orders, two of which are closed) and the clock on 2026-10-12, after the period."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.catalog.rules.calendar import SHANGHAI
from haochaping.catalog.rules.standards import Channel
from haochaping.evaluations.models import Evaluation
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.tests import factories as ef
from haochaping.supervision.models import CheckDraw, CheckFinding, CheckItem, CheckPlan
from haochaping.supervision.rules import Stratum
from haochaping.workorders import services as ws
from haochaping.workorders.models import WorkOrder

RATED = datetime(2026, 9, 10, 10, 0, tzinfo=SHANGHAI)
NOW = datetime(2026, 10, 12, 10, 0, tzinfo=SHANGHAI)
SEPT = (date(2026, 9, 1), date(2026, 9, 30))
BAD = RatingInput(1, reason_codes=["108"], text="多次被要求补充材料")
GOOD = RatingInput(5, {"overall": 5}, ["510"])


def close_order(order: WorkOrder, handler: Any, office: Any) -> WorkOrder:
    order = ws.workorder_sign(actor=handler, order=order)
    order = ws.workorder_callback(actor=handler, order=order, method="phone", reached=True,
                                  summary="已联系申请人，了解情况")
    order = ws.workorder_rectify(actor=handler, order=order, measures="一次告知材料清单",
                                 result="已重新办理")
    order = ws.workorder_reply(actor=handler, order=order, text="已整改")
    if order.status == "replied":
        order = ws.workorder_review(actor=office, order=order, passed=True)
    assert order.status == "closed"
    return order


@pytest.fixture
def sv(locality: SimpleNamespace, personas: SimpleNamespace,
       django_capture_on_commit_callbacks: Any) -> Iterator[SimpleNamespace]:
    traveller = time_machine.travel(RATED, tick=False)
    shift = traveller.start()
    actors = {name: actor_for_user(getattr(personas, name)) for name in vars(personas)}
    source, _ = ef.make_client(locality.market, scopes=("handlings:write",), name="审批系统")
    rater = ef.make_rater()
    ratings = []
    for n, rating in enumerate([GOOD] * 8 + [BAD] * 3):
        handling = ef.make_handling(locality, client=source, rater=rater,
                                    completed_at=RATED - timedelta(hours=2, minutes=n))
        with django_capture_on_commit_callbacks(execute=True):
            [row] = evaluation_submit(handling=handling, rating=rating,
                                      channel=Channel.EVALUATOR if n % 2 else Channel.WEB)
        ratings.append(row)
    orders = list(WorkOrder.objects.filter(evaluation__in=ratings[8:]).order_by("pk"))
    closed = [close_order(o, actors["handler"], actors["supervisor"]) for o in orders[:2]]
    shift.move_to(NOW)
    yield SimpleNamespace(loc=locality, people=personas, ratings=ratings, orders=orders,
                          closed=closed, now=NOW, shift=shift, **actors)
    traveller.stop()


ALL = {Stratum.GOOD: 100, Stratum.BAD: 100, Stratum.DEFAULT: 100, Stratum.ORDER: 100}


def snapshot() -> tuple[Any, ...]:
    """Everything a refused write must leave untouched."""
    return (list(CheckPlan.objects.order_by("pk").values()), CheckDraw.objects.count(),
            CheckItem.objects.count(), CheckFinding.objects.count(),
            list(WorkOrder.objects.order_by("pk").values_list("status", flat=True)),
            Evaluation.objects.filter(invalidated_at__isnull=False).count(),
            AuditEvent.objects.count())
