"""The input registry read from the rows: overdue and returned work orders, spot-check
findings (a fake fix reopened), appeals, privacy violations, by department and by the
staff member rated; every input of every kind answers on an empty period."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from haochaping.appraisal import inputs, services
from haochaping.appraisal.rules import SubjectKind
from haochaping.supervision.rules import Stratum
from haochaping.supervision.services import check_draw, finding_record, plan_create
from haochaping.supervision.tests.conftest import SEPT, sv  # noqa: F401  (the fixture)
from haochaping.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
OCT = (date(2026, 10, 1), date(2026, 10, 31))


def test_counts_from_the_rows(sv: SimpleNamespace) -> None:  # noqa: F811
    market, staff = sv.loc.market.pk, sv.loc.staff.pk
    WorkOrder.objects.filter(pk=sv.orders[2].pk).update(overdue_at=sv.now - timedelta(days=1))
    plan = plan_create(actor=sv.supervisor, title="九月核查", start=SEPT[0], end=SEPT[1],
                       rates={Stratum.ORDER: 100}, now=sv.now)
    draw = check_draw(actor=sv.supervisor, plan=plan, seed="t1", now=sv.now)
    item = draw.items.get(order=sv.closed[0])
    finding_record(actor=sv.supervisor, item_id=item.pk, method="on_site",
                   finding="false_report", note="告知清单并未张贴",
                   checked_on=sv.now.date(), now=sv.now)
    services.violation_record(actor=sv.supervisor, org_id=market, staff_id=staff,
                              occurred_on=date(2026, 10, 5), description="泄露评价人电话",
                              now=sv.now)
    for kind, key in ((SubjectKind.ORG, market), (SubjectKind.STAFF, staff)):
        def value(name: str, kind: SubjectKind = kind) -> dict[int, float]:
            return inputs.INPUTS[name].by[kind](*OCT)
        assert value("overdue_orders") == {key: 1.0}
        assert value("returned_orders") == {key: 1.0}  # the fake fix reopened
        assert value("spot_check_findings") == {key: 1.0}
        assert value(inputs.PRIVACY) == {key: 1.0}
        assert value("appeals_upheld") == {}
        assert inputs.INPUTS["spot_check_findings"].by[kind](*SEPT) == {}


def test_every_input_answers_an_empty_period(sv: SimpleNamespace) -> None:  # noqa: F811
    for source in inputs.INPUTS.values():
        assert source.kinds
        for compute in source.by.values():
            assert compute(date(2025, 1, 1), date(2025, 3, 31)) == {}
