"""A closed bad review in September 2026 at the locality's window, marked typical by the
city office (its public text stored), rolled up; September and the third quarter
published by the worker's snapshot job on 1 October."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.core.cache import cache

from haochaping.accounts.scoping import actor_for_user
from haochaping.catalog.rules.calendar import SHANGHAI
from haochaping.catalog.rules.standards import Channel
from haochaping.evaluations.rules import RatingInput
from haochaping.evaluations.services import evaluation_submit
from haochaping.evaluations.tests import factories as ef
from haochaping.stats import rollup, tasks
from haochaping.stats.ranking import ranking_weights_set
from haochaping.workorders.models import Rectification, Reply, WorkOrder
from haochaping.workorders.services import typical_preview, workorder_mark_typical

RATED_AT = datetime(2026, 9, 29, 10, 0, tzinfo=SHANGHAI)
PUBLISHED_AT = datetime(2026, 10, 1, 2, 0, tzinfo=SHANGHAI)
RATER_NAME, RATER_PHONE, RATER_ID = "张三丰", ef.PHONE, ef.ID_NO


@pytest.fixture
def published(locality: SimpleNamespace, personas: SimpleNamespace,
              django_capture_on_commit_callbacks: Any) -> SimpleNamespace:
    cache.clear()
    with time_machine.travel(RATED_AT, tick=False):
        source, _ = ef.make_client(locality.market, scopes=("handlings:write",),
                                   name="审批系统")
        rater = ef.make_rater(name=RATER_NAME)
        handling = ef.make_handling(locality, client=source, rater=rater,
                                    completed_at=RATED_AT - timedelta(hours=2))
        with django_capture_on_commit_callbacks(execute=True):
            [bad] = evaluation_submit(handling=handling, rating=RatingInput(
                1, reason_codes=["108"], text=f"{RATER_NAME}电话{RATER_PHONE}等了很久"),
                channel=Channel.WEB)
        order = WorkOrder.objects.get(evaluation=bad)
        WorkOrder.objects.filter(pk=order.pk).update(status="closed", closed_at=RATED_AT)
        staff = locality.staff.name
        Rectification.objects.create(order=order, at=RATED_AT, measures=(
            f"对窗口工作人员{staff}进行批评教育，优化一次性告知单"), result="已整改到位")
        Reply.objects.create(order=order, at=RATED_AT, visible_to_rater_at=RATED_AT, text=(
            f"{RATER_NAME}您好，已核实，身份证{RATER_ID}，联系电话{RATER_PHONE}，已整改。"))
        # Published the only way there is: the office previews the stripped text and
        # confirms it (text stored as confirmed).
        office = actor_for_user(personas.supervisor)
        shown = typical_preview(actor=office, order=order)
        order = workorder_mark_typical(actor=office, order=order, public_text=shown.text)
        rollup.rollup_tick(RATED_AT + timedelta(minutes=5))
        ranking_weights_set(actor=actor_for_user(personas.admin), satisfaction=50,
                            participation=20, on_time_rectification=20, bad_review=10,
                            min_sample=1, bottom_count=3, bottom_periods=3, now=RATED_AT)
    tasks.ranking_snapshots.call(PUBLISHED_AT.isoformat())
    return SimpleNamespace(loc=locality, people=personas, order=order, staff=staff)
