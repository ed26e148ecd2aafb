"""Legacy satisfaction ratings over the API (``/api/v1/evaluations/legacy``): a legacy
system, or the office's tooling, posts its ratings as JSON or uploads its export file.
API key with scope ``legacy_import:write`` (or an office login with that permission);
the answer is the import's summary and per-row report (docs/import-format.md)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from haochaping.accounts.auth import actor_of, api_auth
from haochaping.core.bounds import Int32
from haochaping.core.errors import ValidationError
from haochaping.evaluations.legacy import rules
from haochaping.evaluations.legacy.services import (
    legacy_import,
    legacy_import_file,
    rows_of_items,
)

router = Router(tags=["legacy"])


class LegacyItemIn(Schema):
    source_id: str = Field(default="", max_length=100)
    proj_no: str = Field(default="", max_length=64)
    client_system: str = Field(default="", max_length=100)
    level: Int32 | str = ""
    rated_at: str = Field(default="", max_length=40)
    channel: str = Field(default="", max_length=32)
    text: str = Field(default="", max_length=rules.MAX_TEXT_CHARS + 1)


class LegacyBatchIn(Schema):
    source: str = Field(min_length=1, max_length=rules.MAX_SOURCE_CHARS)
    dry_run: bool = False
    ratings: list[LegacyItemIn] = Field(min_length=1, max_length=rules.MAX_API_ROWS)


class LegacyReportRow(Schema):
    row: int
    outcome: str
    code: str
    message: str
    proj_no: str


class LegacyResultOut(Schema):
    source: str
    dry_run: bool
    batch_id: int | None
    rows: int
    created: int
    duplicate: int
    unknown: int
    invalid: int
    report: list[LegacyReportRow]
    ignored_columns: list[str]


@router.post("/legacy", response=LegacyResultOut, auth=api_auth,
             summary="导入历史满意度评价（JSON，每次最多 1000 条）")
def import_items(request: HttpRequest, body: LegacyBatchIn) -> Any:
    actor = actor_of(request)
    rows, problems = rows_of_items(item.model_dump() for item in body.ratings)
    return legacy_import(actor=actor, source=body.source, rows=rows, problems=problems,
                         via="api", dry_run=body.dry_run).as_dict()


MAX_FILE_BYTES = 20 * 1024 * 1024


@router.post("/legacy/file", response=LegacyResultOut, auth=api_auth,
             summary="导入历史满意度评价（XLSX/CSV 文件）")
def import_file(request: HttpRequest, source: Form[str], file: File[UploadedFile],
                dry_run: Form[bool] = False) -> Any:
    actor = actor_of(request)
    if file.size is not None and file.size > MAX_FILE_BYTES:
        raise ValidationError("import.file_format", "文件不能超过 20 MB", "file")
    return legacy_import_file(actor=actor, source=source, data=file.read(),
                              file_name=file.name or "", via="api", dry_run=dry_run).as_dict()
