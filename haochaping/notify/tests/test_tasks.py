"""Delivery as task-engine tasks: writing a message queues its drain in the same
transaction; the periodic job queues drains for the backlog and for messages a dead
worker left ``sending``; SMS codes go to the urgent queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from haochaping.core.engine.worker import drain
from haochaping.notify import tasks
from haochaping.notify.models import OutboxMessage
from haochaping.notify.services import outbox_enqueue

pytestmark = pytest.mark.django_db
PARAMS = {"org": "市市场监管局", "matter": "食品经营许可", "link": "http://x/r/tok"}


def _message(n: int = 0) -> OutboxMessage:
    message = outbox_enqueue(template="evaluation_invite", to=f"1380000{n:04d}",
                             params=PARAMS, dedupe_key=f"t:{n}")
    assert message is not None
    return message


def test_a_message_and_its_drain_commit_together_or_not_at_all() -> None:
    def write_then_fail() -> None:
        with transaction.atomic():
            _message()
            raise RuntimeError("the write failed")

    with pytest.raises(RuntimeError, match="the write failed"):
        write_then_fail()
    assert not OutboxMessage.objects.exists()
    assert not DBTaskResult.objects.exists()
    _message(1)
    _message(2)  # the same drain is still waiting: not queued twice
    assert list(DBTaskResult.objects.values_list("task_path", "queue_name")) == [
        ("haochaping.notify.tasks.drain", "default")]


def test_an_sms_code_is_drained_from_the_urgent_queue() -> None:
    outbox_enqueue(template="sms_code", to="13800000001", params={"code": "123456",
                                                                   "minutes": "5"},
                   dedupe_key="code:1")
    assert list(DBTaskResult.objects.values_list("task_path", "queue_name")) == [
        ("haochaping.notify.tasks.drain_urgent", "urgent")]


def test_the_periodic_job_reclaims_a_dead_workers_messages() -> None:
    message = _message()
    drain()  # its drain task runs; then a worker dies while sending it again:
    assert not DBTaskResult.objects.filter(status="READY").exists()
    past = timezone.now() - timedelta(minutes=5)
    OutboxMessage.objects.filter(pk=message.pk).update(status="sending", attempts=1,
                                                       locked_until=past)
    summary = tasks.deliver_outbox.call(timezone.now().isoformat())
    assert summary == "backlog 1 (+0 urgent), 1 drains, 1 reclaimed"
    message.refresh_from_db()
    assert message.status == "pending"
    assert DBTaskResult.objects.filter(task_path="haochaping.notify.tasks.drain",
                                       status="READY").count() == 1
