"""The time-limit sweeps (issue 4 "Time limits") on the official calendar across the 2026
National Day holiday (10-01..10-07 off, 10-10 a make-up working day): warnings, overdue
marks and escalation levels, each exactly once however often the sweep runs."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.accounts.models import User
from haochaping.audit.models import AuditEvent
from haochaping.catalog.rules.calendar import SHANGHAI, end_of_day
from haochaping.core.engine.worker import run_due
from haochaping.core.jobs import JOBS
from haochaping.notify.models import OutboxMessage
from haochaping.workorders import services as s
from haochaping.workorders import sweep_rules
from haochaping.workorders.models import Escalation, Notification, WorkOrder, WorkOrderEvent
from haochaping.workorders.services.clocks import sweep_deadline_warnings, sweep_overdue

pytestmark = pytest.mark.django_db


def at(m: int, d: int, hour: int = 10) -> datetime:
    return datetime(2026, m, d, hour, tzinfo=SHANGHAI)


def counts() -> tuple[int, int, int, int, int]:
    return (Notification.objects.count(), OutboxMessage.objects.filter(
        template="deadline_warning").count(), Escalation.objects.count(),
        WorkOrderEvent.objects.count(), AuditEvent.objects.count())


@pytest.fixture
def phones(w: SimpleNamespace) -> None:
    User.objects.filter(pk=w.people.handler.pk).update(phone="13800000001")
    User.objects.filter(pk=w.people.supervisor.pk).update(phone="13800000002")


def test_warning_before_a_limit_that_ends_right_after_the_holiday(
        settings: Any, w: SimpleNamespace, phones: None) -> None:
    settings.HCP_POLICY_PRESET = "zhengdong"
    w.rate()
    order = s.workorder_sign(actor=w.handler, order=WorkOrder.objects.get())
    # A limit that ends on the first working day after the holiday (as an extension the
    # office granted to 10-08 would make it).
    WorkOrder.objects.filter(pk=order.pk).update(rectify_due_at=end_of_day(date(2026, 10, 8)))

    # 09-29: 09-30 and 10-08 are left: no warning yet.
    assert sweep_deadline_warnings(at(9, 29)) == "deadline warnings: 0 sent"
    # 09-30: only 10-08 is left — the seven holidays count for nothing.
    w.clock(at(9, 30))
    assert sweep_deadline_warnings(at(9, 30)) == "deadline warnings: 1 sent"
    note = Notification.objects.get(kind="warning")
    assert (note.org_id, note.kind, note.clock, note.due_at) == (
        w.loc.market.pk, "warning", "rectify", end_of_day(date(2026, 10, 8)))
    sms = OutboxMessage.objects.get(template="deadline_warning")
    assert sms.dedupe_key == f"wo-warn:{order.pk}:rectify:202610082359:{w.people.handler.pk}"
    assert sms.params["deadline"] == "2026-10-08 23:59"
    assert AuditEvent.objects.filter(action="workorder.deadline_warning").count() == 1

    before = counts()
    for moment in (at(9, 30, 18), at(10, 3), at(10, 8, 9)):
        assert sweep_deadline_warnings(moment) == "deadline warnings: 0 sent"
    assert counts() == before


def test_natural_day_limit_warned_on_its_last_working_day_only(
        settings: Any, w: SimpleNamespace, phones: None) -> None:
    settings.HCP_POLICY_PRESET = "zhengdong"  # 15 natural days: due 10-14
    w.rate()
    for day in (1, 7, 12):
        assert sweep_deadline_warnings(at(10, day)) == "deadline warnings: 0 sent"
    assert sweep_deadline_warnings(at(10, 13)) == "deadline warnings: 1 sent"
    assert sweep_deadline_warnings(at(10, 13, 11)) == "deadline warnings: 0 sent"


def test_warning_window_is_a_setting(settings: Any, w: SimpleNamespace, phones: None) -> None:
    settings.HCP_POLICY_PRESET = "zhengdong"
    settings.HCP_WORKORDER_WARNING_WORKING_DAYS = 3  # 10-12, 10-13, 10-14 left on 10-10
    w.rate()
    assert sweep_deadline_warnings(at(10, 9)) == "deadline warnings: 0 sent"
    assert sweep_deadline_warnings(at(10, 10)) == "deadline warnings: 1 sent"


def test_overdue_escalation_levels_across_the_holiday(settings: Any, w: SimpleNamespace,
                                                      phones: None) -> None:
    settings.HCP_POLICY_PRESET = "xinxiang"  # contact within 1 working day: due 09-30
    w.rate()
    order = WorkOrder.objects.get()
    assert order.contact_due_at == end_of_day(date(2026, 9, 30))
    assert sweep_overdue(at(9, 30, 23)) == "overdue escalations: 0 created"

    assert sweep_overdue(at(10, 1)) == "overdue escalations: 1 created"
    order.refresh_from_db()
    assert order.overdue_at == at(10, 1)
    first = Escalation.objects.get(kind="overdue")
    assert (first.clock, first.level, first.period) == ("contact", 1, "202609302359#1")
    # The holiday and the first working day after the due day add no level.
    before = counts()
    for moment in (at(10, 1, 11), at(10, 7), at(10, 8, 20)):
        assert sweep_overdue(moment) == "overdue escalations: 0 created"
    assert counts() == before
    assert sweep_overdue(at(10, 9)) == "overdue escalations: 1 created"
    assert sweep_overdue(at(10, 9, 12)) == "overdue escalations: 0 created"
    assert list(Escalation.objects.filter(kind="overdue").order_by("level")
                .values_list("clock", "level")) == [("contact", 1), ("contact", 2)]
    order.refresh_from_db()
    assert order.overdue_at == at(10, 1)  # set once
    actions = list(WorkOrderEvent.objects.filter(order=order).values_list("action", flat=True))
    assert actions.count("overdue") == 1
    assert actions.count("escalate") == 2
    assert AuditEvent.objects.filter(action="workorder.escalate").count() == 2
    assert Notification.objects.filter(kind="overdue").count() == 1


def test_a_stopped_clock_is_not_escalated(settings: Any, w: SimpleNamespace) -> None:
    settings.HCP_POLICY_PRESET = "xinxiang"
    w.rate()
    order = s.workorder_sign(actor=w.handler, order=WorkOrder.objects.get())
    s.workorder_callback(actor=w.handler, order=order, method="phone", reached=True,
                         summary="已联系")
    assert sweep_overdue(at(10, 9)) == "overdue escalations: 0 created"
    assert not WorkOrder.objects.get().overdue_at


def test_ruling_clock_is_the_office_duty(settings: Any, w: SimpleNamespace,
                                         phones: None) -> None:
    settings.HCP_POLICY_PRESET = "haiyang"  # ruling within 3 working days
    w.rate()
    s.workorder_appeal_file(actor=w.handler, order=WorkOrder.objects.get(), grounds="untrue",
                            evidence="监控录像显示已一次告知")
    order = WorkOrder.objects.get()
    assert order.ruling_due_at == end_of_day(date(2026, 10, 9))
    assert sweep_deadline_warnings(at(10, 8)) == "deadline warnings: 1 sent"
    note = Notification.objects.get(kind="warning")
    assert (note.org_id, note.clock) == (w.loc.city_office.pk, "ruling")
    sms = OutboxMessage.objects.get(template="deadline_warning")
    assert sms.dedupe_key.endswith(f":{w.people.supervisor.pk}")


def test_the_worker_runs_the_sweeps_once(settings: Any, w: SimpleNamespace) -> None:
    settings.HCP_POLICY_PRESET = "xinxiang"
    w.rate()
    names = {j.name for j in JOBS}
    assert {"workorders.deadline_warnings", "workorders.overdue",
            "workorders.repair"} <= names
    jobs = tuple(j for j in JOBS if j.name.startswith("workorders."))
    ran = run_due(at(10, 1), jobs)
    assert ran["workorders.overdue"] == "1 open orders, 1 chunks"  # the chunk ran too
    assert Escalation.objects.count() == 1
    assert run_due(at(10, 1, 10), jobs) == {}  # not due again yet
    again = run_due(at(10, 1, 11), jobs)
    assert again["workorders.overdue"] == "1 open orders, 1 chunks"
    assert Escalation.objects.count() == 1  # the second run escalates nothing new


def test_escalation_rules() -> None:
    due = end_of_day(date(2026, 9, 30))
    assert sweep_rules.escalation_level(due, at(10, 8)) == 1
    assert sweep_rules.escalation_level(due, at(10, 12)) == 4  # 10-08, 10-09, 10-10, 10-12
    assert sweep_rules.escalation_period(due, 2) == "202609302359#2"
    assert sweep_rules.warning_due(at(9, 30), end_of_day(date(2026, 10, 8)))
    assert not sweep_rules.warning_due(at(9, 29), end_of_day(date(2026, 10, 8)))
    assert not sweep_rules.warning_due(at(10, 9), end_of_day(date(2026, 10, 8)))


def test_the_workbench_lists_the_warning_for_its_subtree_only(
        settings: Any, w: SimpleNamespace, phones: None) -> None:
    from django.test import Client

    settings.HCP_POLICY_PRESET = "zhengdong"
    w.rate()
    order = s.workorder_sign(actor=w.handler, order=WorkOrder.objects.get())
    WorkOrder.objects.filter(pk=order.pk).update(rectify_due_at=end_of_day(date(2026, 10, 8)))
    w.clock(at(9, 30))
    sweep_deadline_warnings(at(9, 30))
    handler, outsider = Client(), Client()
    handler.force_login(w.people.handler)
    outsider.force_login(w.people.outsider)
    w.clock(at(9, 30, 11))
    mine = handler.get("/work/orders/").content.decode()
    theirs = outsider.get("/work/orders/").content.decode()
    assert "时限提醒" in mine
    assert f"/work/orders/{order.pk}/" in mine
    assert "时限提醒" not in theirs



def test_overdue_chunks_cover_only_their_ids(settings: Any, w: SimpleNamespace) -> None:
    """Each chunk of the sweep escalates the orders of its id range and no other."""
    from haochaping.workorders.services.clocks import sweep_overdue

    settings.HCP_POLICY_PRESET = "xinxiang"
    w.rate()
    order = WorkOrder.objects.get().pk
    assert sweep_overdue(at(10, 1), (1, order)) == "overdue escalations: 0 created"
    assert sweep_overdue(at(10, 1), (order + 1, order + 500)) == "overdue escalations: 0 created"
    assert not Escalation.objects.exists()
    assert sweep_overdue(at(10, 1), (order, order + 1)) == "overdue escalations: 1 created"
    assert list(Escalation.objects.values_list("order_id", flat=True)) == [order]
