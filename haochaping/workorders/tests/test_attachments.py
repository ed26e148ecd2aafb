"""Work-order attachments are checked by content (issue 17, ``core.uploads``): an
``.exe`` and an ``.html`` renamed to ``.jpg`` are refused with a clear error and nothing
is stored; an accepted file is stored under a safe name with its kind audited."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from haochaping.audit.models import AuditEvent
from haochaping.core.tests.test_uploads import DOCX, EXE, HTML, JPEG
from haochaping.workorders import services
from haochaping.workorders.models import Attachment, WorkOrder
from tests.factories import logged_in

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def signed(settings: Any, tmp_path: Path, w: SimpleNamespace) -> WorkOrder:
    settings.MEDIA_ROOT = tmp_path
    w.rate()
    order = WorkOrder.objects.get()
    return services.workorder_sign(actor=w.handler, order=order)


@pytest.mark.parametrize(("name", "data"), [("evidence.jpg", EXE), ("photo.jpg", HTML),
                                            ("notes.txt", b"plain text")])
def test_a_disguised_file_is_refused_and_nothing_is_stored(
        signed: WorkOrder, w: SimpleNamespace, tmp_path: Path, name: str, data: bytes) -> None:
    client = logged_in(w.people.handler)
    events = AuditEvent.objects.count()  # after the login, which is audited itself
    response = client.post(
        f"/work/orders/{signed.pk}/act/rectify",
        {"measures": "一次告知", "result": "已办结", "files": SimpleUploadedFile(name, data)},
        **HX)
    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-code="upload.type_not_allowed"' in page
    assert "按文件内容识别" in page
    assert Attachment.objects.count() == 0
    assert AuditEvent.objects.count() == events
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_an_allowed_file_is_stored_under_a_safe_name(signed: WorkOrder,
                                                     w: SimpleNamespace) -> None:
    upload = SimpleUploadedFile("..\\整改 报告<1>.doc", DOCX)
    row = services.attachment_add(actor=w.handler, order=signed, upload=upload)
    assert row.name == "整改_报告_1.docx"
    assert row.file.name.endswith(".docx")
    event = AuditEvent.objects.filter(action="workorder.attachment").latest("pk")
    assert (event.after["kind"], event.after["size"]) == ("docx", len(DOCX))


def test_an_image_is_accepted_by_its_bytes(signed: WorkOrder, w: SimpleNamespace) -> None:
    upload = SimpleUploadedFile("照片", JPEG)
    assert services.attachment_add(actor=w.handler, order=signed, upload=upload).name == \
        "照片.jpg"
