"""Handling intake endpoints (``/api/v1/handlings``) for business systems holding an API
key with the ``handlings:write`` scope (docs/api-intake.md). Thin: the service validates
and writes, the selector reads (rater masked)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Body, Router

from haochaping.accounts.auth import api_auth, require_scope
from haochaping.core.envelope import ErrorOut
from haochaping.core.errors import FieldProblem, ValidationError
from haochaping.handlings import schemas as s
from haochaping.handlings.selectors import handling_detail
from haochaping.handlings.services import CREATED, IntakeResult, handling_intake
from haochaping.handlings.stages import handling_stages_report

router = Router(tags=["handlings"], auth=api_auth)
SCOPE = "handlings:write"


def _reject_all(result: IntakeResult) -> ValidationError:
    first = result.errors[0]
    return ValidationError(first.code, first.message, first.field, problems=[
        FieldProblem(e.code, e.message, e.field, row=e.index) for e in result.errors])


@router.post("", response={200: s.OneOut, 201: s.OneOut})
def intake_one(request: HttpRequest, item: Body[dict[str, Any]]) -> Any:
    """Report one handling (create, status update or idempotent re-send)."""
    actor = require_scope(request, SCOPE)
    result = handling_intake(client=actor.client, items=[item])
    if result.errors:
        raise _reject_all(result)
    outcome = result.outcomes[0]
    body = {"proj_no": outcome.proj_no, "result": outcome.result, "status": outcome.status}
    return (201 if outcome.result == CREATED else 200), body


@router.post("/bulk", response={200: s.BulkOut, 422: s.BulkOut | ErrorOut})
def intake_bulk(request: HttpRequest,
                items: Body[list[dict[str, Any]]]) -> Any:
    """Report up to 1,000 handlings; valid items are stored, invalid ones reported by
    index. 422 when no item was valid (nothing written), 413 beyond 1,000 items."""
    actor = require_scope(request, SCOPE)
    result = handling_intake(client=actor.client, items=items)
    status = 422 if result.errors and not result.outcomes else 200
    return status, result.as_dict()


@router.post("/{path:proj_no}/stages", response={200: s.StagesOut, 201: s.StagesOut})
def stages(request: HttpRequest, proj_no: str,
           body: Body[Any]) -> Any:
    """Report stages (环节) of one of this client's handlings after the handling: one
    stage object or an array. 201 when a stage was new, 200 when all were known
    (corrected or unchanged); 422 with every problem and nothing written."""
    actor = require_scope(request, SCOPE)
    report = handling_stages_report(client=actor.client, proj_no=proj_no, body=body)
    return (201 if report.created else 200), {"proj_no": report.proj_no,
                                              "stages": report.stages}


@router.get("/{path:proj_no}", response=s.HandlingOut)
def detail(request: HttpRequest, proj_no: str) -> Any:
    """One handling reported by this client; the applicant is masked."""
    actor = require_scope(request, SCOPE)
    return handling_detail(actor, proj_no=proj_no)
