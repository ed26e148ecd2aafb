"""Request and response bodies of the catalog API (``/api/v1/catalog``)."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Field, Schema

from haochaping.core.bounds import Count

CODE = r"^[A-Za-z0-9._-]+$"
REGION = r"^[0-9]{12}$"
Level = Literal["province", "city", "county", "township", "village"]
Category = Literal["licensing", "payment", "confirmation", "reward", "ruling", "other_power",
                   "public_service"]


def _code_of(obj: Any, attr: str) -> str | None:
    related = getattr(obj, attr)
    return related.code if related is not None else None


class ProblemOut(Schema):
    code: str
    message: str
    field: str | None = None
    row: int | None = None


class ImportReportOut(Schema):
    entity: str
    dry_run: bool
    ok: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    errors: list[ProblemOut]
    ignored_columns: list[str]


class RegionOut(Schema):
    id: int
    code: str
    name: str
    level: str
    parent_code: str | None
    path: str

    @staticmethod
    def resolve_parent_code(obj: Any) -> str | None:
        return _code_of(obj, "parent")


class OrgOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    level: str
    region_code: str
    parent_code: str | None
    path: str
    is_active: bool
    sort: int

    @staticmethod
    def resolve_region_code(obj: Any) -> str | None:
        return _code_of(obj, "region")

    @staticmethod
    def resolve_parent_code(obj: Any) -> str | None:
        return _code_of(obj, "parent")


class OrgIn(Schema):
    code: str = Field(pattern=CODE, max_length=32)
    name: str = Field(min_length=1, max_length=100)
    short_name: str = Field("", max_length=50)
    kind: Literal["supervising", "handling"]
    level: Level
    region_code: str = Field(pattern=REGION)
    parent_code: str | None = Field(None, pattern=CODE, max_length=32)
    is_active: bool = True
    sort: Count = 0


class HallOut(Schema):
    id: int
    code: str
    name: str
    org_code: str
    region_code: str
    level: str
    address: str
    phone: str
    is_active: bool

    @staticmethod
    def resolve_org_code(obj: Any) -> str | None:
        return _code_of(obj, "org")

    @staticmethod
    def resolve_region_code(obj: Any) -> str | None:
        return _code_of(obj, "region")


class HallIn(Schema):
    code: str = Field(pattern=CODE, max_length=32)
    name: str = Field(min_length=1, max_length=100)
    org_code: str = Field(pattern=CODE, max_length=32)
    region_code: str = Field(pattern=REGION)
    level: Level
    address: str = Field("", max_length=200)
    phone: str = Field("", max_length=32)
    is_active: bool = True


class WindowOut(Schema):
    id: int
    code: str
    number: str
    name: str
    hall_code: str
    org_code: str
    is_active: bool

    @staticmethod
    def resolve_hall_code(obj: Any) -> str | None:
        return _code_of(obj, "hall")

    @staticmethod
    def resolve_org_code(obj: Any) -> str | None:
        return _code_of(obj, "org")


class WindowIn(Schema):
    code: str = Field(pattern=CODE, max_length=32)
    number: str = Field(min_length=1, max_length=16)
    name: str = Field(min_length=1, max_length=100)
    hall_code: str = Field(pattern=CODE, max_length=32)
    org_code: str = Field(pattern=CODE, max_length=32)
    is_active: bool = True


class StaffOut(Schema):
    id: int
    staff_no: str
    name: str
    org_code: str
    window_code: str | None
    title: str
    is_active: bool

    @staticmethod
    def resolve_org_code(obj: Any) -> str | None:
        return _code_of(obj, "org")

    @staticmethod
    def resolve_window_code(obj: Any) -> str | None:
        return _code_of(obj, "window")


class StaffIn(Schema):
    staff_no: str = Field(pattern=CODE, max_length=32)
    name: str = Field(min_length=1, max_length=50)
    org_code: str = Field(pattern=CODE, max_length=32)
    window_code: str | None = Field(None, pattern=CODE, max_length=32)
    title: str = Field("", max_length=50)
    is_active: bool = True


class MatterOut(Schema):
    id: int
    code: str
    impl_code: str
    version: str
    name: str
    category: str
    org_code: str
    handling_type: str
    promised_days: int
    legal_days: int | None
    online_available: bool
    is_active: bool

    @staticmethod
    def resolve_org_code(obj: Any) -> str | None:
        return _code_of(obj, "org")


class MatterIn(Schema):
    code: str = Field(pattern=CODE, max_length=64)
    impl_code: str = Field(pattern=CODE, max_length=64)
    version: str = Field("1", pattern=CODE, max_length=16)
    name: str = Field(min_length=1, max_length=200)
    category: Category
    org_code: str = Field(pattern=CODE, max_length=32)
    handling_type: Literal["immediate", "promised"] = "promised"
    promised_days: Count = 0
    legal_days: Count | None = None
    online_available: bool = False
    is_active: bool = True
