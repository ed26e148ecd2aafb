"""Query plans on PostgreSQL: drill-downs use the partial index, figures read an index of
the rollup table (issue 5 "Fast at scale"). The planner costs of a tiny test table make
a sequential scan look cheapest, so each test turns ``enable_seqscan`` off for its
transaction: the plan then shows which index the planner can use for the query."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haochaping.accounts.scoping import system_actor
from haochaping.stats import drill, rules, selectors
from haochaping.stats.models import OrgMonthRollup
from tests import factories as f

pytestmark = [
    pytest.mark.django_db,
    # EXPLAIN plans and partial-index use are PostgreSQL-specific (conftest.py).
    pytest.mark.postgres,
]


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def _captured(table: str, run: object) -> str:
    with CaptureQueriesContext(connection) as queries:
        run()  # type: ignore[operator]
    found = [q["sql"] for q in queries.captured_queries if f'"{table}"' in q["sql"]]
    assert found, f"no query on {table}"
    return str(found[0])


def _bad_plan(run: object) -> str:
    return _plan(_captured("evaluations_evaluation", run))


def test_bad_review_drilldown_uses_the_partial_index() -> None:
    org = f.make_org("市市场监督管理局")

    def run() -> None:
        drill.drilldown(system_actor("test"), figure="bad_reviews", start=date(2026, 3, 1),
                        end=date(2026, 3, 31), key={"org": org.pk})

    plan = _bad_plan(run)
    assert "evaluation_bad_org" in plan, plan


@pytest.mark.parametrize("figure", ["bad_reviews", "level_1"])
def test_a_keyset_page_of_bad_reviews_uses_the_partial_index(figure: str) -> None:
    """A page after a cursor (and a level-1 drill-down: level = 1 implies level <= 2)
    still reads evaluation_bad_org, its created_at bound inside the index condition."""
    org = f.make_org("市市场监督管理局")
    cursor = drill.Cursor(datetime(2026, 3, 15, 8, tzinfo=UTC), 10_000).encode()

    def run() -> None:
        drill.page(system_actor("test"), figure=figure, start=date(2026, 3, 1),
                   end=date(2026, 3, 31), key={"org": org.pk}, after=cursor)

    plan = _bad_plan(run)
    assert "evaluation_bad_org" in plan, plan
    condition = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "created_at <=" in condition, plan


def test_month_across_orgs_reads_the_org_month_rollup_index() -> None:
    def run() -> None:
        selectors.figures(system_actor("test"), group_by=("org",), period=rules.Period.MONTH,
                          start=date(2026, 3, 1), end=date(2026, 3, 31),
                          compare_previous=False)

    table = OrgMonthRollup._meta.db_table
    plan = _plan(_captured(table, run))
    names = [i.name for i in OrgMonthRollup._meta.indexes]
    names += [c.name for c in OrgMonthRollup._meta.constraints]
    assert any(f"Index Scan using {n}" in plan or f"Index Only Scan using {n}" in plan
               or f"Bitmap Index Scan on {n}" in plan for n in names), plan
    assert f"Seq Scan on {table}" not in plan, plan


def test_a_region_filter_and_grouping_read_the_org_month_rollup_index() -> None:
    """Grouped by region inside a region's subtree, the figures still come from one
    index read of the org × month roll-up; only the catalog (orgs, regions) is joined."""
    district = f.make_region("410105000000", "金水区", "county", parent=f.make_region())
    f.make_org("金水区政务服务局", region=district)

    def run() -> None:
        selectors.figures(system_actor("test"), group_by=("region",),
                          period=rules.Period.MONTH, start=date(2026, 3, 1),
                          end=date(2026, 3, 31), compare_previous=False,
                          filters={"region": district.parent_id})

    table = OrgMonthRollup._meta.db_table
    plan = _plan(_captured(table, run))
    assert f"Seq Scan on {table}" not in plan, plan
    assert "stats_orgmonth" in plan, plan
