"""Reads of the Open311 interface: requests of the public kinds, as the public may see
them (kind, status, the public note, the handling department, times). The description,
the location and the media URL go to the API client that filed the request only; the
submitter never leaves the vault (seed 004 §10)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from haochaping.complaints.models import Submission, SubmissionEvent
from haochaping.complaints.rules import open311 as rules
from haochaping.complaints.rules.kinds import OPEN_STATUSES, Status


def _open_q() -> Q:
    open_values = [s.value for s in OPEN_STATUSES]
    return Q(status__in=open_values) | Q(status=Status.MERGED.value,
                                         merged_into__status__in=open_values)


def requests_of(query: rules.Query, now: datetime) -> QuerySet[Submission]:
    qs = Submission.objects.filter(kind__in=rules.PUBLIC_KIND_CODES)
    if query.ids:
        qs = qs.filter(ref__in=query.ids)
    if query.codes:
        qs = qs.filter(kind__in=query.codes)
    if query.start:
        qs = qs.filter(received_at__gte=query.start)
    if query.end:
        qs = qs.filter(received_at__lte=query.end)
    if not (query.ids or query.start or query.end):
        qs = qs.filter(received_at__gte=now - timedelta(days=rules.DEFAULT_DAYS))
    if set(query.statuses) == {"open"}:
        qs = qs.filter(_open_q())
    elif set(query.statuses) == {"closed"}:
        qs = qs.exclude(_open_q())
    return (qs.select_related("order__org", "office", "merged_into")
            .order_by("-received_at", "-pk"))


def _filed_by(items: list[Submission], client_id: int | None) -> dict[int, dict[str, Any]]:
    """The Open311 step of each item ``client_id`` filed: what it sent beyond the item."""
    if client_id is None or not items:
        return {}
    steps = SubmissionEvent.objects.filter(submission__in=items, action="open311",
                                           payload__client=client_id)
    return {s.submission_id: s.payload for s in steps}


def _row(item: Submission, mine: dict[str, Any] | None) -> dict[str, Any]:
    status = Status(item.status)
    target = Status(item.merged_into.status) if item.merged_into else None
    order = item.order
    row: dict[str, Any] = {
        "service_request_id": item.ref,
        "status": rules.open_or_closed(status, target),
        "status_notes": rules.status_notes(
            status, reason=item.reason,
            merged_ref=item.merged_into.ref if item.merged_into else ""),
        "service_name": rules.SERVICES[item.kind].name,
        "service_code": item.kind,
        "agency_responsible": order.org.name if order is not None else item.office.name,
        "service_notice": "",
        "requested_datetime": rules.iso(item.received_at),
        "updated_datetime": rules.iso(item.updated_at),
        "expected_datetime": rules.iso(order.rectify_due_at) if order is not None else None,
    }
    if mine is not None:
        row.update({"description": item.content,
                    "address": mine.get("address_string", ""),
                    "address_id": mine.get("address_id", ""),
                    "lat": mine.get("lat"), "long": mine.get("long"),
                    "media_url": mine.get("media_url", "")})
    return row


def request_rows(query: rules.Query, *, client_id: int | None,
                 now: datetime) -> list[dict[str, Any]]:
    items = list(requests_of(query, now)[:rules.MAX_RESULTS])
    mine = _filed_by(items, client_id)
    return [_row(item, mine.get(item.pk)) for item in items]


def request_row(ref: str, *, client_id: int | None, now: datetime) -> dict[str, Any]:
    rows = request_rows(rules.Query(ids=(ref,)), client_id=client_id, now=now)
    if not rows:
        raise rules.Open311Error(404, "open311.request_not_found",
                                 f"没有编号为“{ref[:40]}”的诉求")
    return rows[0]
