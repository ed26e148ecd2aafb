"""共性问题 services on a real database: detection from ratings and items (the job),
no duplicate while open, the department's evidence, the office's check (return, accept),
recurrence after closure; every step audited, every refusal writes nothing."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from haochaping.audit.models import AuditEvent
from haochaping.catalog.models import PolicyOverride
from haochaping.core.errors import AppError
from haochaping.problems import selectors, services, tasks
from haochaping.problems.models import ProblemEvidence, ProblemTask
from haochaping.problems.tests.conftest import file_items

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FIX = "已修订食品经营许可办事指南，删除指南外的场地证明要求，新版本于本月起施行。"


def state() -> tuple[Any, ...]:
    return (list(ProblemTask.objects.order_by("pk").values()),
            ProblemEvidence.objects.count(), AuditEvent.objects.count())


def test_the_job_opens_the_task_once(pb: SimpleNamespace) -> None:
    result = tasks.detect.call(timezone.now().isoformat())
    assert result == "1 common-problem tasks opened"
    task = ProblemTask.objects.get()
    assert (task.cause, task.subject_key, task.org, task.status) == (
        "guide", f"matter:{pb.loc.matter.pk}", pb.loc.market, "open")
    assert (task.rating_count, task.item_count) == (2, 2)
    assert sorted(task.signals["items"]) == sorted(i.pk for i in pb.items)
    assert task.due_at > task.opened_at + timedelta(days=20)  # 20 working days
    assert AuditEvent.objects.filter(action="problem.open").count() == 1
    assert tasks.detect.call(timezone.now().isoformat()) == "0 common-problem tasks opened"
    file_items(pb.loc, 3, start=5)
    assert services.detect_run(timezone.now()) == []  # open: no duplicate, no org twin
    assert ProblemTask.objects.count() == 1


def test_evidence_check_return_accept_and_recurrence(pb: SimpleNamespace) -> None:
    [task] = services.detect_run(timezone.now())
    upload = SimpleUploadedFile("新版办事指南.pdf", PDF, content_type="application/pdf")
    row = services.evidence_submit(actor=pb.handler, task=task, kind="guide", text=FIX,
                                   upload=upload, now=timezone.now())
    task.refresh_from_db()
    assert task.status == "submitted"
    assert row.file_name.endswith(".pdf")
    assert len(row.file_sha256) == 64
    services.evidence_check(actor=pb.supervisor, task=task, accept=False,
                            note="未附新版指南的发布文号", now=timezone.now())
    task.refresh_from_db()
    assert task.status == "returned"
    services.evidence_submit(actor=pb.head, task=task, kind="guide", text=FIX + "文号见附件。",
                             now=timezone.now())
    closed = services.evidence_check(actor=pb.supervisor, task=task, accept=True, note="",
                                     now=timezone.now())
    assert closed.status == "closed"
    assert closed.closed_at is not None
    assert [a for a in AuditEvent.objects.filter(action__startswith="problem.")
            .order_by("pk").values_list("action", flat=True)] == [
        "problem.open", "problem.evidence", "problem.return", "problem.evidence",
        "problem.accept"]
    assert services.detect_run(timezone.now()) == []  # the old signals belong to it
    file_items(pb.loc, 3, start=7, when=timezone.now() + timedelta(minutes=10))
    [again] = services.detect_run(timezone.now() + timedelta(minutes=20))
    assert again.recurrence_of_id == closed.pk
    assert again.item_count == 3
    assert again.rating_count == 0
    assert closed.recurrences.count() == 1


def test_refusals_write_nothing(pb: SimpleNamespace) -> None:
    [task] = services.detect_run(timezone.now())
    before = state()
    bad: list[tuple[Any, dict[str, Any]]] = [
        (services.evidence_submit, {"actor": pb.supervisor, "kind": "guide", "text": FIX}),
        (services.evidence_submit, {"actor": pb.outsider, "kind": "guide", "text": FIX}),
        (services.evidence_submit, {"actor": pb.window_staff, "kind": "guide", "text": FIX}),
        (services.evidence_submit, {"actor": pb.handler, "kind": "nope", "text": FIX}),
        (services.evidence_submit, {"actor": pb.handler, "kind": "guide", "text": "已整改"}),
        (services.evidence_submit, {"actor": pb.handler, "kind": "guide", "text": FIX,
                                    "upload": SimpleUploadedFile("a.exe", b"MZ" + b"0" * 50)}),
        (services.evidence_check, {"actor": pb.supervisor, "accept": True, "note": ""}),
    ]
    for call, kwargs in bad:
        with pytest.raises(AppError):
            call(task=task, now=timezone.now(), **kwargs)
        assert state() == before, (call, kwargs)
    services.evidence_submit(actor=pb.handler, task=task, kind="process", text=FIX,
                             now=timezone.now())
    before = state()
    for actor in (pb.handler, pb.head, pb.district_supervisor, pb.auditor):
        with pytest.raises(AppError):
            services.evidence_check(actor=actor, task=task, accept=True, note="",
                                    now=timezone.now())
    with pytest.raises(AppError):
        services.evidence_check(actor=pb.supervisor, task=task, accept=False, note="",
                                now=timezone.now())
    assert state() == before


def test_scoping_and_open_counts(pb: SimpleNamespace) -> None:
    [task] = services.detect_run(timezone.now())
    assert list(selectors.visible_tasks(pb.supervisor)) == [task]
    assert list(selectors.visible_tasks(pb.handler)) == [task]
    for other in (pb.outsider, pb.district_supervisor, pb.window_staff, pb.monitor,
                  pb.auditor):
        assert not selectors.visible_tasks(other).exists()
        assert all(n == 0 for _, n, _ in selectors.open_counts(other))
    assert selectors.open_counts(pb.handler)[0] == ("待整改共性问题", 1, "/work/problems/")
    office = dict((label, n) for label, n, _ in selectors.open_counts(pb.supervisor))
    assert office["共性问题待核查"] == 0


def test_the_owning_orgs_own_threshold_decides(pb: SimpleNamespace) -> None:
    """The matter's org (the market department) asks for 5 signals: its 4 open nothing;
    an override elsewhere in the tree changes nothing here."""
    PolicyOverride.objects.create(org=pb.loc.district_office, key="problem_min_count",
                                  value=5)
    assert len(services.detect_run(timezone.now())) == 1
    ProblemTask.objects.all().delete()
    PolicyOverride.objects.create(org=pb.loc.market, key="problem_min_count", value=5)
    assert services.detect_run(timezone.now()) == []
    file_items(pb.loc, 1, start=3)
    [task] = services.detect_run(timezone.now())
    assert (task.org, task.rating_count + task.item_count) == (pb.loc.market, 5)
