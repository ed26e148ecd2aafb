"""Shared by the public complaint pages: rendering, errors as a Chinese page, and the
tracking cookie (a verified phone's blind index, signed, path-scoped, short-lived)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from haochaping.core.errors import AppError
from haochaping.evaluations.views.common import page

FILING_SALT = "hcp.complaints.filing.proof"
PROOF_SECONDS = 30 * 60  # the form may take a while to fill in
TRACK_COOKIE = "hcp_track"
TRACK_SALT = "hcp.complaints.track"
TRACK_SECONDS = 30 * 60


def render_page(request: HttpRequest, template: str, context: dict[str, Any], *,
                partial: str | None = None, status: int = 200) -> HttpResponse:
    return page(request, template, context, partial=partial, status=status)


def page_or_error(request: HttpRequest, exc: AppError) -> HttpResponse:
    """A refusal as a Chinese page (or partial) carrying the stable code."""
    return page(request, "complaints/public/error.html", {"error": exc},
                partial="complaints/public/partials/error.html", status=exc.status)


def track_path() -> str:
    return reverse("complaints_public:track")


def set_track_cookie(response: HttpResponse, phone_index: str) -> None:
    response.set_signed_cookie(TRACK_COOKIE, phone_index, salt=TRACK_SALT,
                               max_age=TRACK_SECONDS, path=track_path(), httponly=True,
                               samesite="Lax")


def tracked_phone(request: HttpRequest) -> str | None:
    value = request.get_signed_cookie(TRACK_COOKIE, default=None, salt=TRACK_SALT,
                                      max_age=TRACK_SECONDS)
    return str(value) if value else None
