"""The app / mini-program channel (``/api/v1/complaints``, scope ``complaint_filing:write``).

The app has verified its user's real name and vouches for it: name, ID number and phone
come in the body and go into the rater vault. ``POST`` files one item (channel ``app``;
``Idempotency-Key`` replays a lost answer, core.idempotency); ``GET /{ref}`` reads an item
this client filed: its status and the public timeline, never internal notes or names.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from haochaping.accounts.auth import api_auth, require_scope
from haochaping.complaints import schemas as s
from haochaping.complaints.models import Submission
from haochaping.complaints.public.filing import Filing, submission_file
from haochaping.complaints.rules.kinds import Channel, Status, SubmissionKind
from haochaping.complaints.selectors_public import (
    client_item,
    handling_org_name,
    public_timeline,
    published_answer,
    refusal,
    subject_by_codes,
)
from haochaping.core.envelope import ErrorOut
from haochaping.core.errors import PermissionDenied

router = Router(tags=["complaints"], auth=api_auth)
SCOPE = "complaint_filing:write"
ERRORS: dict[int, Any] = {code: ErrorOut for code in (401, 403, 404, 409, 422, 429)}


def _client(request: HttpRequest) -> Any:
    actor = require_scope(request, SCOPE)
    if not actor.is_client:
        raise PermissionDenied("complaint.client_only", "该接口仅供移动端、小程序的接口凭证调用")
    return actor.client


def _out(item: Submission) -> dict[str, Any]:
    why = refusal(item)
    answer = published_answer(item)
    return {
        "ref": item.ref, "kind": item.kind, "kind_label": SubmissionKind(item.kind).label,
        "status": item.status, "status_label": Status(item.status).label,
        "received_at": item.received_at, "handling_org": handling_org_name(item),
        "refusal": {"code": why.code, "label": why.label, "explanation": why.explanation,
                    "where": why.where} if why else None,
        "merged_into": item.merged_into.ref if item.merged_into_id and item.merged_into
        else None,
        "answer": {"text": answer.text, "published_at": answer.visible_to_rater_at}
        if answer and answer.visible_to_rater_at else None,
        "timeline": [{"at": st.at, "label": st.label, "note": st.note}
                     for st in public_timeline(item)],
    }


@router.post("", response={201: s.ComplaintOut, **ERRORS})
def file_one(request: HttpRequest, body: s.ComplaintIn) -> Any:
    """File one 咨询、投诉 or 建议 for the app's real-name user; 201 with the reference
    number and the acceptance filter's verdict (a refused item says why and where to go)."""
    client = _client(request)
    given = body.subject
    subject = subject_by_codes(**given.dict()) if given is not None else subject_by_codes()
    item = submission_file(
        filing=Filing(kind=body.kind, content=body.content, name=body.submitter.name,
                      phone=body.submitter.phone, id_no=body.submitter.id_no,
                      subject=subject, reply_channel=body.reply_channel,
                      urgency=body.urgency, cause=body.cause),
        channel=Channel.APP, client=client)
    return 201, _out(item)


@router.get("/{ref}", response={200: s.ComplaintOut, **ERRORS})
def read_one(request: HttpRequest, ref: str) -> Any:
    """One item this client filed: status, refusal reason, published answer, timeline."""
    client = _client(request)
    return 200, _out(client_item(ref, client.pk))
