"""共性问题 screens over HTTP: the office's list with filters and counts, the task page
with the department's evidence form and the office's check; a department sees only its
own tasks and cannot close its own; bad input is a Chinese error that changes nothing."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from haochaping.problems import services
from haochaping.problems.models import ProblemTask

pytestmark = pytest.mark.django_db
FIX = "已修订食品经营许可办事指南，删除指南外的场地证明要求，新版本于本月起施行。"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_office_list_filters_and_counts(pb: SimpleNamespace) -> None:
    [task] = services.detect_run(timezone.now())
    office = client_for(pb.people.supervisor)
    page = office.get("/work/problems/").content.decode()
    assert f'data-task="{task.pk}"' in page
    assert "办事指南与政策" in page
    assert "共性问题待核查" in page
    assert f'data-task="{task.pk}"' not in office.get(
        "/work/problems/?status=closed").content.decode()
    assert f'data-task="{task.pk}"' not in office.get(
        "/work/problems/?cause=fees").content.decode()
    assert f'data-task="{task.pk}"' in office.get(
        "/work/problems/?status=bogus").content.decode()  # unknown filter: ignored
    detail = office.get(f"/work/problems/{task.pk}/").content.decode()
    assert "差评 2 件，诉求件 2 件" in detail
    assert 'data-testid="evidence-form"' not in detail  # the office does not submit
    assert 'data-testid="check-form"' not in detail  # nothing to check yet


def test_department_submits_office_checks(pb: SimpleNamespace) -> None:
    [task] = services.detect_run(timezone.now())
    handler = client_for(pb.people.handler)
    page = handler.get(f"/work/problems/{task.pk}/").content.decode()
    assert 'data-testid="evidence-form"' in page
    bad = handler.post(f"/work/problems/{task.pk}/evidence/", {"kind": "guide", "text": "已改"})
    assert bad.status_code == 422
    assert "整改说明不少于" in bad.content.decode()
    assert ProblemTask.objects.get().status == "open"
    done = handler.post(f"/work/problems/{task.pk}/evidence/", {
        "kind": "guide", "text": FIX,
        "file": SimpleUploadedFile("新版指南.pdf", PDF, content_type="application/pdf")})
    assert done.status_code == 302
    assert ProblemTask.objects.get().status == "submitted"
    # the department cannot close its own task
    refused = handler.post(f"/work/problems/{task.pk}/check/", {"verdict": "accept"})
    assert refused.status_code == 403
    assert ProblemTask.objects.get().status == "submitted"
    office = client_for(pb.people.supervisor)
    detail = office.get(f"/work/problems/{task.pk}/").content.decode()
    assert 'data-testid="check-form"' in detail
    evidence = task.evidence.get()
    download = office.get(f"/work/problems/evidence/{evidence.pk}/file")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    no_reason = office.post(f"/work/problems/{task.pk}/check/", {"verdict": "return"})
    assert no_reason.status_code == 422
    assert "退回原因" in no_reason.content.decode()
    office.post(f"/work/problems/{task.pk}/check/", {"verdict": "accept", "note": "核查属实"})
    assert ProblemTask.objects.get().status == "closed"


@pytest.mark.parametrize("who", ["outsider", "district_supervisor"])
def test_others_do_not_see_the_task(pb: SimpleNamespace, who: str) -> None:
    [task] = services.detect_run(timezone.now())
    client = client_for(getattr(pb.people, who))
    assert f'data-task="{task.pk}"' not in client.get("/work/problems/").content.decode()
    assert client.get(f"/work/problems/{task.pk}/").status_code == 404
    assert client.post(f"/work/problems/{task.pk}/evidence/", {
        "kind": "guide", "text": FIX}).status_code == 404
    assert ProblemTask.objects.get().status == "open"


@pytest.mark.parametrize("who", ["window_staff", "monitor", "auditor", "admin"])
def test_other_roles_are_refused(pb: SimpleNamespace, who: str) -> None:
    response = client_for(getattr(pb.people, who)).get("/work/problems/")
    assert response.status_code == 403
    assert "当前角色无权查看共性问题" in response.content.decode()
