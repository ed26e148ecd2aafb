"""The entry forms' POST read into plain inputs for the services (no logic here beyond
reading: every check is the services')."""

from __future__ import annotations

from django.http import QueryDict

from haochaping.complaints.entry.services import EntryInput, SubjectIds
from haochaping.core.errors import ValidationError

SUBJECT_FIELDS = {"org_id": "部门", "window_id": "窗口", "staff_id": "工作人员",
                  "matter_id": "事项"}


def _id(data: QueryDict, field: str) -> int | None:
    raw = (data.get(field) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise ValidationError("complaint.entry.subject_invalid",
                              f"所选{SUBJECT_FIELDS[field]}无效", field)
    return int(raw)


def subject_ids(data: QueryDict) -> SubjectIds:
    return SubjectIds(org_id=_id(data, "org_id"), window_id=_id(data, "window_id"),
                      staff_id=_id(data, "staff_id"), matter_id=_id(data, "matter_id"),
                      text=data.get("subject_text", ""))


def entry_input(data: QueryDict) -> EntryInput:
    return EntryInput(channel=data.get("channel", ""), kind=data.get("kind", ""),
                      content=data.get("content", ""), subject=subject_ids(data),
                      urgency=data.get("urgency", "normal"),
                      reply_channel=data.get("reply_channel", "sms"),
                      name=data.get("name", ""), phone=data.get("phone", ""),
                      cause=data.get("cause", ""))


def optional_id(data: QueryDict, field: str) -> int | None:
    """An id for a picker's reload (bad input: nothing chosen)."""
    try:
        return _id(data, field)
    except ValidationError:
        return None
