"""submission_rate_answer: only an answered item, once per answer, audited, through the
one status writer."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.utils import timezone

from haochaping.audit.models import AuditEvent
from haochaping.complaints.rules.kinds import Status
from haochaping.complaints.services.feedback import submission_rate_answer
from haochaping.complaints.services.moves import submission_move
from haochaping.core.errors import Conflict, ValidationError

from .public_helpers import answered, file_item

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh() -> None:
    cache.clear()


def test_resolved_closes_with_event_and_audit(locality: SimpleNamespace,
                                              personas: SimpleNamespace) -> None:
    item = answered(file_item(locality), personas.supervisor, locality)
    submission_rate_answer(item=item, resolved=True, level=4, comment="办得快")
    item.refresh_from_db()
    assert (item.status, item.resolved, item.answer_level) == ("closed", True, 4)
    assert item.closed_at is not None
    assert item.answer_rated_at is not None
    event = item.events.get(action="rate_answer")
    assert (event.from_status, event.to_status, event.note) == ("answered", "closed", "办得快")
    audit = AuditEvent.objects.get(action="complaint.rate_answer")
    assert audit.after["resolved"] is True
    assert audit.after["level"] == 4


def test_not_resolved_reopens_and_a_second_answer_may_be_rated(
        locality: SimpleNamespace, personas: SimpleNamespace) -> None:
    item = answered(file_item(locality), personas.supervisor, locality)
    submission_rate_answer(item=item, resolved=False, level=1)
    assert item.status == "reopened"
    with pytest.raises(Conflict) as caught:
        submission_rate_answer(item=item, resolved=True, level=5)
    assert caught.value.code == "complaint.answer_already_rated"
    # The office re-handles it and answers again: that answer is rated on its own.
    later = timezone.now() + timedelta(seconds=1)
    submission_move(item, Status.DISPATCHED, action="redispatch", now=later)
    submission_move(item, Status.ANSWERED, action="answer", now=later)
    submission_rate_answer(item=item, resolved=True, level=3)
    item.refresh_from_db()
    assert (item.status, item.answer_level) == ("closed", 3)


@pytest.mark.parametrize(("resolved", "level", "code"), [
    (None, 5, "complaint.resolved_required"),
    (True, 0, "complaint.invalid_answer_level"),
    (True, 6, "complaint.invalid_answer_level"),
    (True, None, "complaint.invalid_answer_level"),
])
def test_bad_verdicts_write_nothing(locality: SimpleNamespace, personas: SimpleNamespace,
                                    resolved: bool | None, level: int | None,
                                    code: str) -> None:
    item = answered(file_item(locality), personas.supervisor, locality)
    events = item.events.count()
    with pytest.raises(ValidationError) as caught:
        submission_rate_answer(item=item, resolved=resolved, level=level)
    assert caught.value.code == code
    item.refresh_from_db()
    assert item.status == "answered"
    assert item.events.count() == events


def test_only_an_answered_item(locality: SimpleNamespace) -> None:
    item = file_item(locality)
    with pytest.raises(Conflict) as caught:
        submission_rate_answer(item=item, resolved=True, level=5)
    assert caught.value.code == "complaint.not_answered"
    item.refresh_from_db()
    assert item.status == "dispatched"  # routed at intake, not yet answered
    assert item.answer_rated_at is None
