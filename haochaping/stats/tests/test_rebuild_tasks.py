"""The full rebuild through the task engine (issue 12): ``haochaping stats rebuild --tasks``
queues a coordinator that queues one locked task per month; whatever the workers run
them in, the roll-ups end equal to the raw rows."""

from __future__ import annotations

from io import StringIO
from types import SimpleNamespace
from typing import Any

from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from haochaping.core.engine.worker import drain
from haochaping.stats import services
from haochaping.stats.models import EvaluationRollup
from haochaping.stats.tests.test_rollup_equals_raw import (  # noqa: F401
    START,
    coarse_of,
    coarse_stored,
    raw,
    simulate,
    snapshot,
    town,
)


def test_rebuild_as_month_tasks_equals_raw(town: SimpleNamespace,  # noqa: F811
                                           django_capture_on_commit_callbacks: Any) -> None:
    sim = simulate(town, django_capture_on_commit_callbacks, 13, steps=80, start=START,
                   orders=True)
    sim.complete()
    EvaluationRollup.objects.update(level_5=999)  # whatever is stored gets replaced
    out = StringIO()
    call_command("stats_rebuild", "--tasks", stdout=out)
    assert "已排队" in out.getvalue()
    call_command("stats_rebuild", "--tasks", stdout=out)  # still waiting: not queued twice
    assert "已在排队中" in out.getvalue()
    months = services.rebuild_plan()
    assert drain() == {"ok": 1 + len(months)}
    ran = DBTaskResult.objects.filter(task_path="haochaping.stats.tasks.rebuild_month")
    assert sorted(tuple(r.args_kwargs["args"]) for r in ran) == sorted(
        tuple(m) for m in months)
    expected = raw()
    assert snapshot() == expected
    assert coarse_stored() == coarse_of(expected)
