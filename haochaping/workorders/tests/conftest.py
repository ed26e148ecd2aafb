"""Fixtures: a bad review on 2026-09-29 10:00 (two days before National Day) whose work
order is opened by the real evaluation_submit hook."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine

from haochaping.accounts.scoping import actor_for_user
from haochaping.audit.models import AuditEvent
from haochaping.catalog.rules.calendar import SHANGHAI
from haochaping.catalog.rules.standards import Channel
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.tests import factories as ef
from haochaping.workorders.models import WorkOrder, WorkOrderEvent

BAD = RatingInput(1, reason_codes=["108"], text="多次被要求补充材料")
GOOD = RatingInput(5, {"overall": 5}, ["510"])
START = datetime(2026, 9, 29, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def clock() -> Iterator[Callable[[datetime], None]]:
    traveller = time_machine.travel(START, tick=False)
    shift = traveller.start()

    def move(moment: datetime) -> None:
        shift.move_to(moment)

    yield move
    traveller.stop()


@pytest.fixture
def w(locality: SimpleNamespace, personas: SimpleNamespace, clock: Any,
      django_capture_on_commit_callbacks: Any) -> SimpleNamespace:
    source, _ = ef.make_client(locality.market, scopes=("handlings:write",), name="审批系统")
    rater = ef.make_rater()
    handling = ef.make_handling(locality, client=source, rater=rater,
                                completed_at=START - timedelta(hours=2))

    def rate(rating: RatingInput = BAD) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            [row] = evaluation_submit(handling=handling, rating=rating, channel=Channel.WEB)
        return row

    actors = {name: actor_for_user(getattr(personas, name)) for name in vars(personas)}
    return SimpleNamespace(loc=locality, people=personas, handling=handling, rater=rater,
                           rate=rate, clock=clock, **actors)


def snapshot() -> tuple[Any, ...]:
    """Everything a refused action must leave untouched."""
    return (list(WorkOrder.objects.order_by("pk").values()),
            WorkOrderEvent.objects.count(), AuditEvent.objects.count())


# --- request orders (咨询、投诉、建议; issue 14) ------------------------------------------

DISPATCH = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)  # the day before National Day
PARTS = {"investigation": "调取窗口监控核实，工作人员未一次性告知所需材料",
         "process": "约谈窗口负责人，电话联系投诉人说明情况并致歉",
         "measures": "修订材料清单，组织窗口人员培训",
         "result": "投诉人已于次日办结业务，表示认可"}


@pytest.fixture
def rq(locality: SimpleNamespace, personas: SimpleNamespace, clock: Any) -> SimpleNamespace:
    """Request orders opened by the city office at the market department on 2026-09-30
    10:00 (the clock stands there; move it with ``rq.clock``)."""
    from haochaping.workorders.services.requests import workorder_open_request

    clock(DISPATCH)
    actors = {name: actor_for_user(getattr(personas, name)) for name in vars(personas)}

    def open_request(kind: str = "complaint", *, urgent: bool = False, staff: Any = None,
                     text: str = "窗口人员未一次性告知所需材料，来回跑了三趟") -> WorkOrder:
        return workorder_open_request(actor=actors["supervisor"], kind=kind,
                                      org=locality.market, text=text, source="12345热线",
                                      urgent=urgent, staff=staff)

    return SimpleNamespace(loc=locality, people=personas, open=open_request, clock=clock,
                           **actors)
