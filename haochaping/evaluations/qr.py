"""QR codes (segno) for invitation links and window posters.

Codes are regular QR (never Micro QR, which phone cameras do not read) with error
correction level M, and point at ``HCP_PUBLIC_BASE_URL`` so a printed poster keeps working
whatever host name the page was generated under.
"""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.urls import reverse

PNG_SCALE = 8
SVG_SCALE = 6
BORDER = 4  # the quiet zone the QR standard asks for


def public_url(path: str) -> str:
    return settings.HCP_PUBLIC_BASE_URL.rstrip("/") + path


def invitation_url(token: str) -> str:
    return public_url(reverse("evaluations:invite", args=[token]))


def window_url(window_code: str) -> str:
    """Where the window's static QR leads: the phone check of the window flow."""
    return public_url(reverse("evaluations:window_start", args=[window_code]))


def _make(url: str) -> segno.QRCode:
    return segno.make(url, error="m", micro=False)


def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    _make(url).save(buffer, kind="png", scale=PNG_SCALE, border=BORDER)
    return buffer.getvalue()


def qr_svg(url: str) -> bytes:
    buffer = io.BytesIO()
    _make(url).save(buffer, kind="svg", scale=SVG_SCALE, border=BORDER, title=url)
    return buffer.getvalue()


def qr_response_body(url: str, fmt: str) -> tuple[bytes, str]:
    """The image bytes and content type for ``fmt`` ("png" or "svg")."""
    if fmt == "svg":
        return qr_svg(url), "image/svg+xml"
    return qr_png(url), "image/png"
