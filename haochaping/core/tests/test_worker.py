from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from haochaping.core.jobs import Job
from haochaping.core.models import PeriodicJobState
from haochaping.core.worker import Worker, claim, ensure_job_rows

CALLS: list[str] = []


def ok_job(now: datetime) -> str:
    CALLS.append("ok")
    return "done"


def failing_job(now: datetime) -> str:
    raise RuntimeError("poison")


OK = Job("test.ok", "haochaping.core.tests.test_worker:ok_job", every_seconds=60)
BAD = Job("test.bad", "haochaping.core.tests.test_worker:failing_job", every_seconds=60)


@pytest.fixture(autouse=True)
def _reset() -> None:
    CALLS.clear()


@pytest.mark.django_db
def test_due_job_runs_once_then_waits_for_its_interval() -> None:
    worker = Worker(jobs=(OK,))
    now = timezone.now()
    assert worker.tick(now) == {"test.ok": "done"}
    assert worker.tick(now + timedelta(seconds=30)) == {}
    assert worker.tick(now + timedelta(seconds=61)) == {"test.ok": "done"}
    assert CALLS == ["ok", "ok"]


@pytest.mark.django_db
def test_second_worker_cannot_claim_a_leased_job() -> None:
    now = timezone.now()
    ensure_job_rows(now, (OK,))
    assert claim(OK, now, "worker-a") is True
    assert claim(OK, now, "worker-b") is False
    # a killed worker's lease expires and the job is claimed again
    assert claim(OK, now + timedelta(seconds=OK.lease_seconds + 1), "worker-b") is True


@pytest.mark.django_db
def test_poison_job_is_recorded_and_deferred_without_stopping_others() -> None:
    worker = Worker(jobs=(BAD, OK))
    now = timezone.now()
    assert worker.tick(now) == {"test.ok": "done"}
    state = PeriodicJobState.objects.get(name=BAD.name)
    assert state.failures == 1
    assert "poison" in state.last_error
    assert state.locked_until is None
    assert state.next_run_at > now + timedelta(seconds=BAD.every_seconds)
