"""Query plans on PostgreSQL: drill-downs use the partial index, figures read an index of
the rollup table (issue 5 "Fast at scale"). The planner costs of a tiny test table make
a sequential scan look cheapest, so each test turns ``enable_seqscan`` off for its
transaction: the plan then shows which index the planner can use for the query."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haochaping.accounts.scoping import system_actor
from haochaping.core import testing as f
from haochaping.stats import rules, selectors
from haochaping.stats.models import EvaluationRollup

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not ON_POSTGRES, reason="EXPLAIN plans and partial-index use are "
                       "PostgreSQL-specific; the CI PostgreSQL pass runs these tests"),
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


def test_bad_review_drilldown_uses_the_partial_index() -> None:
    org = f.make_org("市市场监督管理局")

    def run() -> None:
        selectors.drilldown(system_actor("test"), figure="bad_reviews", start=date(2026, 3, 1),
                            end=date(2026, 3, 31), key={"org": org.pk})

    plan = _plan(_captured("evaluations_evaluation", run))
    assert "evaluation_bad_org" in plan, plan


def test_month_across_orgs_reads_a_rollup_index() -> None:
    def run() -> None:
        selectors.figures(system_actor("test"), group_by=("org",), period=rules.Period.MONTH,
                          start=date(2026, 3, 1), end=date(2026, 3, 31),
                          compare_previous=False)

    table = EvaluationRollup._meta.db_table
    plan = _plan(_captured(table, run))
    names = [i.name for i in EvaluationRollup._meta.indexes]
    names += [c.name for c in EvaluationRollup._meta.constraints]
    assert any(f"Index Scan using {n}" in plan or f"Index Only Scan using {n}" in plan
               or f"Bitmap Index Scan on {n}" in plan for n in names), plan
    assert f"Seq Scan on {table}" not in plan, plan
