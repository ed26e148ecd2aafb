"""Request and response bodies of the accounts API."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field

from haochaping.core.bounds import Id


class ActorOrgOut(Schema):
    """Named apart from the catalog's ``OrgOut``: the OpenAPI keys schemas by name."""

    id: int
    name: str
    path: str


class MeOut(Schema):
    kind: str  # "user" | "client"
    id: int
    label: str
    role: str | None
    role_label: str | None
    org: ActorOrgOut | None
    scopes: list[str]


class ApiClientIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    org_id: Id
    scopes: list[str] = Field(min_length=1, max_length=20)
    rate_limit_per_minute: int = Field(default=600, ge=1, le=100_000)


class RotateIn(Schema):
    grace_hours: int = Field(default=24, ge=0, le=168)


class ApiClientOut(Schema):
    id: int
    name: str
    org: ActorOrgOut
    scopes: list[str]
    key_prefix: str
    previous_key_prefix: str
    previous_valid_until: datetime | None
    rate_limit_per_minute: int
    is_active: bool
    created_at: datetime
    rotated_at: datetime | None
    last_used_at: datetime | None


class ApiClientKeyOut(Schema):
    """Returned once, at creation or rotation: ``key`` is never retrievable again."""

    client: ApiClientOut
    key: str
