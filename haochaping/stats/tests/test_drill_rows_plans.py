"""Query plans on PostgreSQL of the handling and work-order drill-downs: one org's period
is read through an index, never a sequential scan of the table (a keyset page after a
cursor too), and the overdue list through the partial rectification-deadline index that
the dashboard count uses. As in test_query_plans, ``enable_seqscan`` is off for the
transaction so the plan shows the index the planner can use on a tiny test table."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haochaping.accounts.scoping import system_actor
from haochaping.stats import drill, drill_rows
from haochaping.stats.tests.test_query_plans import _plan
from tests import factories as f

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,  # EXPLAIN plans are PostgreSQL-specific
]
TABLES = {drill_rows.HANDLINGS: "handlings_handling", drill_rows.ORDERS: "workorders_workorder"}


def _plans(kind: str, figure: str, after: str | None) -> list[str]:
    org = f.make_org("市市场监督管理局")
    with CaptureQueriesContext(connection) as queries:
        drill_rows.page(kind, system_actor("test"), figure=figure, start=date(2026, 3, 1),
                        end=date(2026, 3, 31), key={"org": org.pk}, after=after)
    found = [q["sql"] for q in queries.captured_queries
             if f'FROM "{TABLES[kind]}"' in q["sql"]]
    assert found
    return [_plan(sql) for sql in found]


CURSOR = drill.Cursor(datetime(2026, 3, 15, 8, tzinfo=UTC), 10_000).encode()


@pytest.mark.parametrize("after", [None, CURSOR])
@pytest.mark.parametrize(("kind", "figure"), [
    (drill_rows.HANDLINGS, "completed"), (drill_rows.HANDLINGS, "rated_real"),
    (drill_rows.HANDLINGS, "unrated"), (drill_rows.ORDERS, "orders"),
    (drill_rows.ORDERS, "called_back"), (drill_rows.ORDERS, "not_called_back"),
])
def test_one_orgs_period_is_read_through_an_index(kind: str, figure: str,
                                                  after: str | None) -> None:
    for plan in _plans(kind, figure, after):
        assert f"Seq Scan on {TABLES[kind]}" not in plan, plan
        assert "Index" in plan, plan


def test_the_overdue_list_reads_the_rectification_deadline_index() -> None:
    for plan in _plans(drill_rows.ORDERS, "overdue", CURSOR):
        assert "Seq Scan on workorders_workorder" not in plan, plan
        assert "wo_rectify_due_sweep" in plan or "workorders_workorder_org_id" in plan, plan
