"""The task engine on a real database: transactional enqueue, de-duplication, locks,
priorities, retries and dead letters, recovery of a dead worker's tasks, scheduling."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from haochaping.core.engine import claim, enqueue, schedule
from haochaping.core.engine.claim import retry_dead_letters
from haochaping.core.engine.worker import drain
from haochaping.core.jobs import JOBS, Job
from haochaping.core.models import PeriodicJobState, TaskKey, TaskRun
from haochaping.core.tests import engine_tasks as t

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _calls() -> None:
    t.CALLS.clear()


def test_a_task_commits_with_its_write_or_not_at_all() -> None:
    def write_then_fail() -> None:
        with transaction.atomic():
            enqueue(t.urgent, "lost")
            raise RuntimeError("the write failed")

    with pytest.raises(RuntimeError, match="the write failed"):
        write_then_fail()
    assert not DBTaskResult.objects.exists()
    with transaction.atomic():
        enqueue(t.urgent, "kept")
    assert DBTaskResult.objects.get().status == TaskResultStatus.READY
    assert drain() == {"ok": 1}
    assert t.CALLS == ["urgent:kept"]


def test_a_key_keeps_one_task_waiting_and_frees_when_it_starts() -> None:
    first = enqueue(t.urgent, "a", key="k")
    assert first is not None
    assert enqueue(t.urgent, "b", key="k") is None
    assert DBTaskResult.objects.count() == 1
    row = claim.claim_next("w1", ["urgent"], timezone.now())
    assert row is not None
    assert not TaskKey.objects.exists()
    assert enqueue(t.urgent, "c", key="k") is not None  # work arriving while it runs


def test_urgent_work_runs_before_reports() -> None:
    enqueue(t.slow_report, "r1")
    enqueue(t.urgent, "u1")
    drain()
    assert t.CALLS == ["urgent:u1", "report:r1"]


def test_two_tasks_with_one_lock_never_run_at_once() -> None:
    enqueue(t.slow_report, "first")
    enqueue(t.slow_report, "second")
    now = timezone.now()
    running = claim.claim_next("w1", ["reports"], now)
    assert running is not None
    assert claim.claim_next("w2", ["reports"], now) is None  # locked: deferred, not run
    waiting = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert waiting.run_after > now
    claim.finish_success(running, "done")
    assert not TaskRun.objects.exists()
    later = now + timedelta(seconds=5)
    second = claim.claim_next("w2", ["reports"], later)
    assert second is not None
    assert second.pk == waiting.pk


def test_a_failing_task_is_retried_with_back_off_then_dead_lettered() -> None:
    enqueue(t.always_fails, "x")
    now = timezone.now()
    assert drain(now=now) == {"retry": 1}
    row = DBTaskResult.objects.get()
    assert row.status == TaskResultStatus.READY
    assert row.run_after >= now + timedelta(seconds=30)  # base 60, jitter ≥ half
    assert "boom x" in row.traceback
    assert drain(now=now) == {}  # not due yet
    assert drain(now=now + timedelta(seconds=61)) == {"dead": 1}
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED
    assert len(row.worker_ids) == 2
    assert retry_dead_letters(DBTaskResult.objects.all()) == 1
    row.refresh_from_db()
    assert (row.status, row.worker_ids) == (TaskResultStatus.READY, [])


def test_a_dead_workers_task_is_requeued_but_a_live_ones_is_not() -> None:
    enqueue(t.urgent, "orphan")
    start = timezone.now()
    claim.beat("dead-worker", start)
    row = claim.claim_next("dead-worker", ["urgent"], start)
    assert row is not None
    # Still beating within the stall limit: the task is left alone, however long it runs.
    assert claim.recover(start + timedelta(seconds=10), stall_seconds=30) == 0
    assert claim.recover(start + timedelta(seconds=31), stall_seconds=30) == 1
    row.refresh_from_db()
    assert row.status == TaskResultStatus.READY
    assert not TaskRun.objects.exists()
    assert drain(now=start + timedelta(seconds=31)) == {"ok": 1}
    assert t.CALLS == ["urgent:orphan"]


def test_a_period_is_enqueued_once_however_many_workers_tick() -> None:
    job = Job("tests.report", "haochaping.core.tests.engine_tasks.slow_report", 60)
    now = timezone.now()
    schedule.ensure_rows(now, (job,))
    assert schedule.tick(now, (job,)) == ["tests.report"]
    assert schedule.tick(now, (job,)) == []  # another worker, same period
    assert DBTaskResult.objects.count() == 1
    state = PeriodicJobState.objects.get(name="tests.report")
    assert state.next_run_at == now + timedelta(seconds=60)
    # Next period while the last run still waits: not queued twice.
    assert schedule.tick(now + timedelta(seconds=61), (job,)) == ["tests.report"]
    assert DBTaskResult.objects.count() == 1


def test_every_periodic_job_names_a_declared_task() -> None:
    from django.utils.module_loading import import_string
    from django_tasks.base import Task

    for job in JOBS:
        assert isinstance(import_string(job.task), Task), job.name
    assert len({job.name for job in JOBS}) == len(JOBS)


def test_admin_lists_tasks_and_requeues_dead_letters(client: Any, personas: Any) -> None:
    enqueue(t.always_fails, "y")
    now = timezone.now()
    drain(now=now)
    drain(now=now + timedelta(seconds=61))
    row = DBTaskResult.objects.get()
    assert row.status == TaskResultStatus.FAILED
    client.force_login(personas.admin)
    page = client.get("/admin/django_tasks_database/dbtaskresult/")
    assert page.status_code == 200
    assert "失败（死信）" in page.content.decode()
    assert "后台任务结果" in page.content.decode()
    done = client.post("/admin/django_tasks_database/dbtaskresult/", {
        "action": "retry", "_selected_action": [str(row.pk)]}, follow=True)
    assert "已重新排队 1 个失败任务" in done.content.decode()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.READY
    client.force_login(personas.supervisor)
    assert client.get("/admin/django_tasks_database/dbtaskresult/").status_code in {302, 403}


def test_a_task_keeps_its_lock_in_a_process_that_never_imported_it() -> None:
    """A fresh worker claims tasks before their module is imported in its process."""
    import sys

    from haochaping.core.engine import registry

    path = t.slow_report.module_path
    kept = registry._OPTIONS.pop(path)
    module = sys.modules.pop(t.__name__)
    try:
        assert registry.options_for(path).lock == "tests.report"
    finally:
        sys.modules[t.__name__] = module
        registry._OPTIONS[path] = kept
    assert registry.options_for("haochaping.nowhere.gone") == registry.DEFAULT_OPTIONS
