"""Page-numbered API lists with a bounded page (``core.bounds.PageNumber``): a page past
any row (``?page=4611686018427387903``) is a 422, never an OFFSET the database cannot
hold."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from haochaping.core.bounds import PageNumber

MAX_PAGE_SIZE = 500


class PageNumbers(PageNumberPagination):
    class Input(Schema):
        page: PageNumber = 1
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)
