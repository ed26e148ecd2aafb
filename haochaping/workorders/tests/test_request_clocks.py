"""The "1, 5, 15" clocks of request orders (seed 004 §6(一)) across the 2026 National Day
holiday, for each kind, normal and urgent (紧急类的从快解决), and per-subtree overrides.

The official calendar (chinese-calendar): 2026-10-01 to 10-07 off, 10-10 (Saturday) a
make-up working day. Dispatched 2026-09-30 10:00, "1" ends on 10-08, "5" on 10-13
(10-08, 10-09, 10-10, 10-12, 10-13), "15" on 10-27.
"""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from haochaping.catalog.rules.calendar import end_of_day
from haochaping.catalog.rules.policies import Duration
from haochaping.catalog.services.policy import policy_override_set
from haochaping.workorders import rules
from haochaping.workorders.rules import Kind
from haochaping.workorders.tests.conftest import DISPATCH
from tests.factories import logged_in

pytestmark = pytest.mark.django_db
KINDS = ["complaint", "inquiry", "suggestion"]


def day(month: int, d: int) -> Any:
    return end_of_day(date(2026, month, d))


@pytest.mark.parametrize("preset", ["national", "xinxiang"])
@pytest.mark.parametrize("kind", KINDS)
def test_one_five_fifteen_across_the_holiday(settings: Any, rq: SimpleNamespace, kind: str,
                                            preset: str) -> None:
    settings.HCP_POLICY_PRESET = preset
    order = rq.open(kind)
    assert (order.kind, order.urgent) == (kind, False)
    assert (order.contact_due_at, order.investigate_due_at, order.rectify_due_at) == (
        day(10, 8), day(10, 13), day(10, 27))
    assert order.appeal_file_due_at is None  # a request has no appeal
    assert order.next_due_at == day(10, 8)


@pytest.mark.parametrize("kind", KINDS)
def test_urgent_items_are_fast_tracked(settings: Any, rq: SimpleNamespace, kind: str) -> None:
    settings.HCP_POLICY_PRESET = "xinxiang"
    order = rq.open(kind, urgent=True)
    assert order.urgent is True
    # 2 hours to contact (exact time, holiday or not), 5 working days to close, and the
    # investigation done by then.
    assert order.contact_due_at == DISPATCH + timedelta(hours=2)
    assert (order.investigate_due_at, order.rectify_due_at) == (day(10, 13), day(10, 13))


@pytest.mark.parametrize("kind", KINDS)
def test_signing_keeps_the_close_limit_of_the_kind(rq: SimpleNamespace, kind: str) -> None:
    from haochaping.workorders import services as s

    normal, urgent = rq.open(kind), rq.open(kind, urgent=True)
    rq.clock(DISPATCH + timedelta(hours=1))
    assert s.workorder_sign(actor=rq.handler, order=normal,
                            complexity="simple").rectify_due_at == day(10, 27)
    assert s.workorder_sign(actor=rq.handler, order=urgent,
                            complexity="simple").rectify_due_at == day(10, 13)


def test_urgent_limits_and_approval_are_overridable_per_subtree(rq: SimpleNamespace) -> None:
    policy_override_set(actor=rq.supervisor, org=rq.loc.market,
                        key="complaint_urgent_contact_limit", value=Duration.hours(4))
    policy_override_set(actor=rq.supervisor, org=rq.loc.market,
                        key="complaint_urgent_close_limit", value=Duration.working(3))
    order = rq.open("complaint", urgent=True)
    assert order.contact_due_at == DISPATCH + timedelta(hours=4)
    # 3 working days: 10-08, 10-09, 10-10; investigation capped by the urgent close.
    assert (order.investigate_due_at, order.rectify_due_at) == (day(10, 10), day(10, 10))
    # Another subtree keeps the deployment's values.
    from haochaping.catalog.selectors.policy import effective_policy

    district = effective_policy(rq.loc.district_hr)
    assert (district.complaint_urgent_contact_limit, district.complaint_urgent_close_limit,
            district.request_head_approval) == (Duration.hours(2), Duration.working(5), True)


def test_clock_limits_rule() -> None:
    from haochaping.catalog.rules.policy_presets import PRESETS

    policy = PRESETS["xinxiang"]
    working = Duration.working
    assert rules.clock_limits(policy, kind=Kind.SUGGESTION, complexity=rules.Complexity.COMPLEX,
                              staged=False) == {rules.Clock.CONTACT: working(1),
                                                rules.Clock.INVESTIGATE: working(5),
                                                rules.Clock.RECTIFY: working(15)}
    assert rules.clock_limits(policy, kind=Kind.INQUIRY, complexity=rules.Complexity.COMPLEX,
                              staged=False, urgent=True) == {
        rules.Clock.CONTACT: Duration.hours(2), rules.Clock.INVESTIGATE: working(5),
        rules.Clock.RECTIFY: working(5)}
    # A bad review is never urgent: the flag changes nothing for it.
    assert rules.clock_limits(policy, kind=Kind.BAD_REVIEW, complexity=rules.Complexity.COMPLEX,
                              staged=True, urgent=True) == rules.clock_limits(
        policy, kind=Kind.BAD_REVIEW, complexity=rules.Complexity.COMPLEX, staged=True)


def test_queue_and_order_show_the_time_left(rq: SimpleNamespace) -> None:
    normal, urgent = rq.open("complaint"), rq.open("inquiry", urgent=True)
    client = logged_in(rq.people.handler)
    queue = client.get("/work/orders/").content.decode()
    assert queue.count('data-testid="countdown"') == 2
    assert f'datetime="{(DISPATCH + timedelta(hours=2)).isoformat()}"' in queue
    assert "加急" in queue
    page = client.get(f"/work/orders/{normal.pk}/").content.decode()
    assert page.count('data-testid="countdown"') == 3  # contact, investigate, close
    assert urgent.pk != normal.pk
