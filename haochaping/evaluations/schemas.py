"""Request and response bodies of the evaluations API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field, model_validator

from haochaping.catalog.rules.codes import WHOLE_HANDLING, Stage
from haochaping.core.bounds import Id, Int32
from haochaping.evaluations.rules import MAX_TEXT_CHARS


class RaterIn(Schema):
    """The rater the app has authenticated: an ID number (with its type) or a phone."""

    id_type: str = Field(default="111", max_length=8)
    id_no: str = Field(default="", max_length=64)
    phone: str = Field(default="", max_length=20)

    @model_validator(mode="after")
    def _one_identity(self) -> RaterIn:
        if not self.id_no and not self.phone:
            raise ValueError("rater needs id_no or phone")
        return self


class RaterLookupIn(Schema):
    """Body of ``POST /api/v1/raters/handlings``: an ID number (with its type) or a phone."""

    id_type: str = Field(default="111", max_length=8)
    id_no: str = Field(default="", max_length=64)
    phone: str = Field(default="", max_length=20)


class RatingFields(Schema):
    level: int = Field(ge=1, le=5)
    item_levels: dict[str, Int32] = Field(default_factory=dict, max_length=20)
    content_codes: list[str] = Field(default_factory=list, max_length=40)
    reason_codes: list[str] = Field(default_factory=list, max_length=40)
    # One char of slack so the rules answer with evaluation.text_too_long.
    text: str = Field(default="", max_length=MAX_TEXT_CHARS + 1)


class AppRatingIn(RatingFields):
    proj_no: str = Field(min_length=1, max_length=64)
    client_system: str = Field(default="", max_length=100)
    channel: Literal["app", "mini_program", "web"]
    rater: RaterIn
    for_batch: bool = False
    # a stage (环节) of the handling: code or national name; empty or "done": the handling
    stage: str = Field(default="", max_length=20)


class PhoneRatingIn(RatingFields):
    handling_id: Id


class EvaluationOut(Schema):
    public_id: str
    proj_no: str
    level: int
    channel: str
    assess_number: int
    is_default: bool
    created_at: datetime
    stage: str  # the stage rated; "done" (办结): the handling as a whole
    stage_name: str
    notice_version: str  # the privacy notice the rater was shown (core.privacy)

    @staticmethod
    def resolve_public_id(obj: Any) -> str:
        return str(obj.public_id)

    @staticmethod
    def resolve_stage(obj: Any) -> str:
        return str(obj.stage.stage) if obj.stage_id else WHOLE_HANDLING.value

    @staticmethod
    def resolve_stage_name(obj: Any) -> str:
        return Stage(obj.stage.stage).label if obj.stage_id else WHOLE_HANDLING.label

    @staticmethod
    def resolve_proj_no(obj: Any) -> str:
        return str(obj.handling.proj_no)


class RaterStageOut(Schema):
    """A reported stage the rater may rate under the org's policy (办结 is the handling
    itself, listed by ``rated`` / ``rateable`` of the handling)."""

    stage: str
    name: str
    at: datetime
    rated: bool
    rateable: bool


class RaterHandlingOut(Schema):
    proj_no: str
    matter: str
    org: str
    completed_at: datetime | None
    batch_no: str
    rater: str
    rated: bool
    rateable: bool
    stages: list[RaterStageOut]


class UnratedHandlingOut(Schema):
    id: int
    proj_no: str
    matter: str
    org: str
    window: str | None
    completed_at: datetime | None
    rating_closes_at: datetime | None
    rater_name: str
    rater_phone: str

    @staticmethod
    def resolve_matter(obj: Any) -> str:
        return str(obj.matter.name)

    @staticmethod
    def resolve_org(obj: Any) -> str:
        return str(obj.org.name)

    @staticmethod
    def resolve_window(obj: Any) -> str | None:
        return obj.window.number if obj.window_id else None

    @staticmethod
    def resolve_rater_name(obj: Any) -> str:
        return str(obj.rater.name_masked)

    @staticmethod
    def resolve_rater_phone(obj: Any) -> str:
        return str(obj.rater.phone_masked)
