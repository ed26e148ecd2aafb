"""The rating link and QR codes a business system asks for one of its handlings
(``POST /api/v1/handlings/{proj_no}/invitation``): mounted under ``/handlings`` next to the
intake router, but owned here, as rating links are (handlings sit below evaluations)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from haochaping.accounts.auth import api_auth, require_scope
from haochaping.evaluations.handling_links import handling_invitation

router = Router(tags=["handlings"], auth=api_auth)
SCOPE = "handlings:write"


class InvitationOut(Schema):
    proj_no: str
    batch_no: str  # non-empty: the link rates the whole batch
    result: str  # created | existing
    url: str
    qr_png_url: str
    qr_svg_url: str
    expires_at: datetime


@router.post("/{path:proj_no}/invitation", response={200: InvitationOut, 201: InvitationOut})
def invitation(request: HttpRequest, proj_no: str) -> Any:
    """The rating link and its QR codes for one of this client's completed handlings (or
    its batch): 201 when a new invitation was made, 200 with the live one otherwise.
    Mounted before the handlings router, whose detail path would otherwise swallow it."""
    actor = require_scope(request, SCOPE)
    issued = handling_invitation(client=actor.client, proj_no=proj_no)
    body = {"proj_no": issued.proj_no, "batch_no": issued.batch_no,
            "result": "created" if issued.created else "existing", "url": issued.url,
            "qr_png_url": issued.qr_png_url, "qr_svg_url": issued.qr_svg_url,
            "expires_at": issued.expires_at}
    return (201 if issued.created else 200), body
