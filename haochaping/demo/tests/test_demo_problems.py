"""The demo's causes of 诉求件 (issue 14 §7) and common problems (issue 15): clusters of
one cause visible on the dashboard, a task closed with evidence, one recurrence after it,
and where ``demo_info`` points."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from haochaping.audit.models import AuditEvent
from haochaping.complaints.models import Submission
from haochaping.problems.models import ProblemTask

pytestmark = pytest.mark.django_db


def test_items_carry_causes_with_a_cluster(built: str) -> None:
    caused = Submission.objects.exclude(cause="")
    assert caused.count() > Submission.objects.count() // 2
    assert len(set(caused.values_list("cause", flat=True))) >= 6
    assert caused.filter(cause="queueing").values("matter").distinct().count() >= 1
    assert AuditEvent.objects.filter(action="complaint.set_cause").count() == 2


def test_a_task_closed_with_evidence_and_its_recurrence(built: str) -> None:
    again = ProblemTask.objects.get(recurrence_of__isnull=False)
    closed = again.recurrence_of
    assert closed is not None
    assert closed.status == "closed"
    assert closed.evidence.get().accepted is True
    assert (again.cause, again.subject_key, again.status) == (
        closed.cause, closed.subject_key, "open")
    out = StringIO()
    call_command("demo_info", port=8000, stdout=out)
    assert f"/work/problems/{again.pk}/" in out.getvalue()
