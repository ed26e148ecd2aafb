from __future__ import annotations

from django.urls import path
from ninja import NinjaAPI, Schema
from pydantic import Field

from bench.minimal.models import Rating

api = NinjaAPI(urls_namespace="minimal")


class RatingIn(Schema):
    proj_no: str = Field(max_length=64)
    level: int = Field(ge=1, le=5)
    content_codes: list[str] = Field(default_factory=list, max_length=16)
    text: str = Field(default="", max_length=500)


@api.post("/ratings")
def create_rating(request, payload: RatingIn) -> dict[str, int]:  # type: ignore[no-untyped-def]
    row = Rating.objects.create(**payload.dict())
    return {"id": row.pk}


urlpatterns = [path("api/", api.urls)]
