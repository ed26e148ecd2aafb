"""Attachments of an item filed by its submitter (public page, app): images and PDF only.

Checked in full before anything is written (:func:`attachments_check`: how many, how big,
what kind by content through ``core.uploads``), then stored with the item in the caller's
transaction (:func:`attachments_store`) under a safe name with their SHA-256.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from haochaping.complaints.models import Submission, SubmissionAttachment
from haochaping.core import uploads
from haochaping.core.errors import RuleViolation, ValidationError

MAX_FILES = 5
MAX_BYTES = 10 * 1024 * 1024
PUBLIC_KINDS = (uploads.JPEG, uploads.PNG, uploads.GIF, uploads.WEBP, uploads.PDF)
PUBLIC_TEXT = "图片（JPEG、PNG、GIF、WebP）或 PDF 文件"


@dataclass(frozen=True)
class Checked:
    upload: Any  # a Django UploadedFile
    kind: uploads.Kind
    name: str
    size: int
    sha256: str


def _digest(upload: Any) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def attachments_check(files: Sequence[Any]) -> list[Checked]:
    """Every file judged, or ``ValidationError`` naming the first bad one (field
    ``attachments``); nothing is stored here."""
    files = [f for f in files if f is not None and (f.name or f.size)]
    if len(files) > MAX_FILES:
        raise ValidationError("complaint.too_many_attachments",
                              f"最多上传 {MAX_FILES} 个附件", "attachments")
    checked = []
    for upload in files:
        size = int(upload.size or 0)
        label = (upload.name or "附件")[:60]
        if size <= 0:
            raise ValidationError("complaint.attachment_empty", f"附件“{label}”是空文件",
                                  "attachments")
        if size > MAX_BYTES:
            raise ValidationError("complaint.attachment_too_big",
                                  f"附件“{label}”超过 {MAX_BYTES // (1024 * 1024)} MB",
                                  "attachments")
        try:
            kind = uploads.kind_of(upload)
        except RuleViolation:
            kind = None
        if kind not in PUBLIC_KINDS:
            raise ValidationError("complaint.attachment_type",
                                  f"附件“{label}”类型不支持：只接受{PUBLIC_TEXT}（按文件内容识别）",
                                  "attachments")
        assert kind is not None
        checked.append(Checked(upload, kind, uploads.safe_name(upload.name or "", kind), size,
                               _digest(upload)))
    return checked


def attachments_store(item: Submission, checked: Sequence[Checked],
                      now: datetime) -> list[SubmissionAttachment]:
    """Store the checked files of ``item`` (inside the caller's transaction)."""
    rows = []
    for one in checked:
        row = SubmissionAttachment(submission=item, name=one.name,
                                   content_type=one.kind.content_type, sha256=one.sha256,
                                   size=one.size, created_at=now)
        row.file.save(one.name, one.upload, save=False)
        row.save()
        rows.append(row)
    return rows
