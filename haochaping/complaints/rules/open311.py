"""Open311 GeoReport v2 over complaints: the mapping between the spec's fields and ours.
Pure, no ORM (the views in ``complaints.open311`` read the rows and ask these functions).

Services are the kinds a citizen may file (``kinds.PUBLIC_KINDS``); a request's
``service_request_id`` is the item's reference number (受理编号); its status is
``open`` or ``closed`` from our status; times are ISO 8601 in +08:00. Nothing here
carries submitter data: what the public reads of a request is its kind, status, the
public note of its last step and the department that handles it (seed 004 §10).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from haochaping.complaints.rules.kinds import PUBLIC_KINDS, Status, SubmissionKind
from haochaping.complaints.rules.reasons import REASONS
from haochaping.core.localtime import SHANGHAI

FORMATS = ("json", "xml")
MAX_IDS = 100  # service_request_id values in one query
MAX_RESULTS = 1000  # the spec's cap on one response
DEFAULT_DAYS = 90  # the spec's default window when no id or date is asked
MAX_FIELD = 200  # name, address, media URL and the like
MAX_DESCRIPTION = 4000  # as complaints.services.intake.MAX_CONTENT


class Open311Error(Exception):
    """A refusal in the spec's error list: ``status`` is the HTTP status and the error's
    ``code``; ``error_code`` our stable code; ``message`` Chinese."""

    def __init__(self, status: int, error_code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.message = message

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.status, "description": self.message,
                "error_code": self.error_code}


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    description: str
    keywords: str
    group: str = "政务服务"

    def as_dict(self) -> dict[str, Any]:
        return {"service_code": self.code, "service_name": self.name,
                "description": self.description, "metadata": True, "type": "realtime",
                "keywords": self.keywords, "group": self.group}


SERVICES: dict[str, Service] = {s.code: s for s in (
    Service(SubmissionKind.INQUIRY.value, "咨询",
            "咨询政务服务事项的办理条件、材料、流程、时限等，由承办部门答复。",
            "咨询,办事指南,办理条件"),
    Service(SubmissionKind.COMPLAINT.value, "投诉",
            "投诉政务服务中的服务态度、办事效率、违规收费、推诿扯皮等问题，"
            "由承办部门调查核实、整改并答复（信访、纪检监察、行政复议、涉法涉诉事项请走相应渠道）。",
            "投诉,服务态度,办事效率"),
    Service(SubmissionKind.SUGGESTION.value, "建议",
            "对政务服务工作提出意见建议，由承办部门研究并答复。",
            "建议,意见,改进"),
)}
PUBLIC_KIND_CODES = tuple(k.value for k in PUBLIC_KINDS)

# Attributes of every service (the spec's service definition): optional, what lets the
# office route the item (属地管理优先、谁主管谁负责) when the tool knows it.
ATTRIBUTES: tuple[dict[str, Any], ...] = (
    {"variable": True, "code": "org_code", "datatype": "string", "required": False,
     "datatype_description": "统一社会信用代码或本平台机构代码", "order": 1,
     "description": "涉及部门（知道时填写）", "values": []},
    {"variable": True, "code": "subject", "datatype": "string", "required": False,
     "datatype_description": f"不超过 {MAX_FIELD} 字", "order": 2,
     "description": "反映对象：事项、窗口或工作人员（知道时填写）", "values": []},
)


def service(code: str) -> Service:
    found = SERVICES.get(code)
    if found is None:
        raise Open311Error(404, "open311.unknown_service", f"没有编码为“{code[:40]}”的服务")
    return found


def definition(code: str) -> dict[str, Any]:
    return {"service_code": service(code).code, "attributes": [dict(a) for a in ATTRIBUTES]}


# --- status ---------------------------------------------------------------------------

CLOSED_STATUSES = frozenset({Status.REFUSED, Status.ANSWERED, Status.CLOSED})
STATUS_NOTES: dict[Status, str] = {
    Status.TRIAGE: "已收到，正在分拣", Status.ACCEPTED: "已受理，待交办",
    Status.DISPATCHED: "已交承办部门办理", Status.ANSWERED: "承办部门已答复",
    Status.REOPENED: "诉求人反映问题未解决，正在复核", Status.CLOSED: "已办结",
}


def open_or_closed(status: Status, target: Status | None = None) -> str:
    """``open`` while someone still works on it; an answered item is closed (it opens
    again if the submitter says the answer did not resolve it); a merged item is as open
    as the item it follows (``target``)."""
    if status is Status.MERGED:
        return open_or_closed(target) if target is not None else "closed"
    return "closed" if status in CLOSED_STATUSES else "open"


def status_notes(status: Status, *, reason: str = "", merged_ref: str = "") -> str:
    """What the public reads of the step: a refusal's reason and where to go instead
    (seed 004 §5), never who filed it or what it says."""
    if status is Status.REFUSED:
        why = REASONS.get(reason)
        return f"不予受理：{why.explanation}{why.where}" if why else "不予受理"
    if status is Status.MERGED:
        return f"与 {merged_ref} 重复，已并入该件一并办理" if merged_ref else "已合并办理"
    return STATUS_NOTES[status]


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 with the +08:00 offset (the spec's W3C format)."""
    if moment is None:
        return None
    return moment.astimezone(SHANGHAI).replace(microsecond=0).isoformat()


# --- query parameters -----------------------------------------------------------------

_W3C = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$")


def parse_datetime(value: str, name: str) -> datetime:
    """A W3C date-time (``2026-10-08T09:00:00+08:00``; a date or a time without an
    offset is read in +08:00)."""
    value = value.strip()
    if not _W3C.match(value):
        raise Open311Error(400, "open311.invalid_date",
                           f"{name} 应为 W3C 日期时间，例如 2026-10-08T09:00:00+08:00")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, "open311.invalid_date", f"{name} 不是有效的日期时间") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def parse_list(value: str, name: str, *, allowed: Iterable[str] | None = None,
               limit: int = MAX_IDS) -> tuple[str, ...]:
    """A comma-delimited list (the spec's way to ask several ids, codes or statuses)."""
    items = tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))
    if len(items) > limit:
        raise Open311Error(400, "open311.too_many", f"{name} 最多 {limit} 个")
    if allowed is not None:
        known = set(allowed)
        bad = [v for v in items if v not in known]
        if bad:
            raise Open311Error(400, f"open311.invalid_{name}",
                               f"{name} 无效：{bad[0][:40]}（可选：{'、'.join(sorted(known))}）")
    return items


@dataclass(frozen=True)
class Query:
    ids: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None


def read_query(params: Mapping[str, str]) -> Query:
    start = parse_datetime(params["start_date"], "start_date") \
        if params.get("start_date") else None
    end = parse_datetime(params["end_date"], "end_date") if params.get("end_date") else None
    if start and end and start > end:
        raise Open311Error(400, "open311.invalid_range", "start_date 不能晚于 end_date")
    return Query(
        ids=parse_list(params.get("service_request_id", ""), "service_request_id"),
        codes=parse_list(params.get("service_code", ""), "service_code", allowed=SERVICES),
        statuses=parse_list(params.get("status", ""), "status", allowed=("open", "closed")),
        start=start, end=end)


# --- filing (POST requests) -----------------------------------------------------------

@dataclass(frozen=True)
class Filing:
    service_code: str
    description: str
    lat: float | None
    long: float | None
    address_string: str
    address_id: str
    first_name: str
    last_name: str
    phone: str
    email: str
    media_url: str
    device_id: str
    account_id: str
    org_code: str
    subject: str

    @property
    def name(self) -> str:
        """Chinese order: family name first."""
        return f"{self.last_name}{self.first_name}".strip()

    def location(self) -> dict[str, Any]:
        """Kept with the item for the tool that filed it (never shown to the public)."""
        return {k: v for k, v in (
            ("lat", self.lat), ("long", self.long), ("address_string", self.address_string),
            ("address_id", self.address_id), ("media_url", self.media_url),
            ("device_id", self.device_id), ("account_id", self.account_id),
            ("email", bool(self.email))) if v not in (None, "", False)}


def _coordinate(value: str, name: str, bound: float) -> float:
    try:
        number = float(value)
    except ValueError:
        raise Open311Error(400, f"open311.invalid_{name}", f"{name} 应为数字") from None
    if not -bound <= number <= bound:  # also refuses nan and inf
        raise Open311Error(400, f"open311.invalid_{name}", f"{name} 应在 ±{bound:g} 之间")
    return number


def _text(params: Mapping[str, str], name: str, limit: int = MAX_FIELD) -> str:
    value = (params.get(name) or "").strip()
    if len(value) > limit:
        raise Open311Error(400, f"open311.{name}_too_long", f"{name} 不能超过 {limit} 个字符")
    return value


def read_filing(params: Mapping[str, str]) -> Filing:
    """Check a POST requests body; the intake checks the content's rules after."""
    code = (params.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "open311.service_code_required", "缺少 service_code")
    if code not in SERVICES:
        raise Open311Error(400, "open311.unknown_service", f"没有编码为“{code[:40]}”的服务")
    description = _text(params, "description", MAX_DESCRIPTION)
    if not description:
        raise Open311Error(400, "open311.description_required", "请在 description 中填写诉求内容")
    lat_raw, long_raw = (params.get("lat") or "").strip(), (params.get("long") or "").strip()
    if bool(lat_raw) != bool(long_raw):
        raise Open311Error(400, "open311.invalid_location", "lat 和 long 须同时提供")
    lat = _coordinate(lat_raw, "lat", 90) if lat_raw else None
    long = _coordinate(long_raw, "long", 180) if long_raw else None
    return Filing(
        service_code=code, description=description, lat=lat, long=long,
        address_string=_text(params, "address_string"), address_id=_text(params, "address_id"),
        first_name=_text(params, "first_name", 50), last_name=_text(params, "last_name", 50),
        phone=_text(params, "phone", 20), email=_text(params, "email"),
        media_url=_text(params, "media_url", 500), device_id=_text(params, "device_id"),
        account_id=_text(params, "account_id"),
        org_code=_text(params, "attribute[org_code]", 64),
        subject=_text(params, "attribute[subject]"))


# --- XML ------------------------------------------------------------------------------

def _xml_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


def _xml_element(tag: str, value: Any, child_tags: Mapping[str, str]) -> str:
    if isinstance(value, dict):
        inner = "".join(_xml_element(k, v, child_tags) for k, v in value.items())
        return f"<{tag}>{inner}</{tag}>"
    if isinstance(value, list):
        child = child_tags.get(tag, "value")
        inner = "".join(_xml_element(child, v, child_tags) for v in value)
        return f"<{tag}>{inner}</{tag}>"
    return f"<{tag}>{_xml_value(value)}</{tag}>"


# The spec's element names of list items: <services><service>, <attributes><attribute>…
XML_CHILDREN = {"services": "service", "service_requests": "request", "errors": "error",
                "attributes": "attribute", "values": "value"}


def xml(root: str, rows: Sequence[dict[str, Any]] | dict[str, Any]) -> str:
    """The spec's XML: ``root`` holding one element per row (a list), or one element."""
    if isinstance(rows, dict):
        body = _xml_element(root, rows, XML_CHILDREN)
    else:
        body = _xml_element(root, list(rows), XML_CHILDREN)
    return f'<?xml version="1.0" encoding="utf-8"?>{body}'
