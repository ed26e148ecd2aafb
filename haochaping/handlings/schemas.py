"""API schemas for handlings. Intake bodies are free-form objects (the accepted field
names and aliases are listed in docs/api-intake.md and checked by ``rules.payload``)."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


class IntakeErrorOut(Schema):
    index: int
    field: str
    code: str
    message: str


class BulkOut(Schema):
    accepted: int
    created: int
    updated: int
    unchanged: int
    errors: list[IntakeErrorOut]


class OneOut(Schema):
    proj_no: str
    result: str  # created | updated | unchanged
    status: str


class MaskedRaterOut(Schema):
    kind: str
    name: str
    id_type: str
    id_no: str
    phone: str


class StageOut(Schema):
    stage: str  # code (catalog.rules.codes.Stage)
    name: str  # national nodeName: 咨询, 申报 …
    at: datetime
    window_code: str
    staff_no: str


class StageResultOut(Schema):
    stage: str
    name: str
    at: datetime
    result: str  # created | updated | unchanged


class StagesOut(Schema):
    proj_no: str
    stages: list[StageResultOut]


class HandlingOut(Schema):
    proj_no: str
    status: str
    matter_code: str
    matter_version: str
    matter_name: str
    org_code: str
    org_name: str
    hall_code: str
    window_code: str
    staff_no: str
    service_channel: str
    batch_no: str
    accepted_at: datetime
    completed_at: datetime | None
    rated_at: datetime | None
    rating_closes_at: datetime | None
    created_at: datetime
    updated_at: datetime
    rater: MaskedRaterOut
    stages: list[StageOut]
