"""Open311 GeoReport v2 endpoints (thin): read the parameters, ask ``rules.open311``,
``reads`` and ``filing``, answer JSON or XML. Every refusal is the spec's error list
(``[{"code": <HTTP status>, "description": <Chinese>, "error_code": <stable>}]``) with its
HTTP status, never a 5xx for bad input. Rate-limited per client address
(``core.ratelimit``), and per API client for filing (its own per-minute limit)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from ninja.errors import AuthenticationError

from haochaping.accounts.auth import api_key_auth
from haochaping.accounts.models import ApiClient
from haochaping.complaints.open311 import reads
from haochaping.complaints.open311.filing import open311_file
from haochaping.complaints.rules import open311 as rules
from haochaping.complaints.rules.kinds import Status
from haochaping.complaints.rules.open311 import Open311Error
from haochaping.core import ratelimit
from haochaping.core.clientip import client_ip
from haochaping.core.errors import AppError

FILING_SCOPE = "complaint_filing:write"
READS_PER_MINUTE = 120  # per client address
FILINGS_PER_MINUTE = 20  # per client address, beside the API client's own limit
View = Callable[..., HttpResponse]


def _respond(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(rules.xml(root, data), status=status,
                            content_type="text/xml; charset=utf-8")
    return HttpResponse(orjson.dumps(data), status=status,
                        content_type="application/json; charset=utf-8")


def _error(fmt: str, exc: Open311Error) -> HttpResponse:
    return _respond(fmt, "errors", [exc.as_dict()], status=exc.status)


def _limit(request: HttpRequest, what: str, limit: int) -> None:
    if ratelimit.over_limit(f"open311:{what}:{client_ip(request)}", limit, 60):
        raise Open311Error(429, "rate_limited", "请求过于频繁，请稍后再试")


def endpoint(methods: tuple[str, ...]) -> Callable[[View], View]:
    """Method check, the per-address limit and the error list around a view."""
    def wrap(view: View) -> View:
        @csrf_exempt
        def run(request: HttpRequest, fmt: str, *args: Any, **kwargs: Any) -> HttpResponse:
            fmt = fmt if fmt in rules.FORMATS else "json"
            try:
                if request.method not in methods:
                    raise Open311Error(405, "open311.method_not_allowed",
                                       f"该地址只接受 {'、'.join(methods)} 请求")
                writes = request.method == "POST"
                _limit(request, "post" if writes else "get",
                       FILINGS_PER_MINUTE if writes else READS_PER_MINUTE)
                return view(request, fmt, *args, **kwargs)
            except Open311Error as exc:
                return _error(fmt, exc)
            except AppError as exc:
                return _error(fmt, Open311Error(exc.status, exc.code, exc.message))
        run.__name__ = view.__name__
        return run
    return wrap


def _api_key(request: HttpRequest, params: Mapping[str, str]) -> str:
    return (params.get("api_key") or request.GET.get("api_key")
            or api_key_auth._get_key(request) or "").strip()


def _client(request: HttpRequest, params: Mapping[str, str], *,
            required: bool) -> ApiClient | None:
    """The API client of ``api_key`` (the spec's parameter, or our headers): checked,
    rate-limited and touched by ``accounts.auth``. A missing, wrong or expired key is the
    spec's 403."""
    raw = _api_key(request, params)
    if not raw:
        if required:
            raise Open311Error(403, "auth.missing_credentials", "缺少 api_key")
        return None
    try:
        client = api_key_auth.authenticate(request, raw)
    except AuthenticationError as exc:
        code = getattr(exc, "code", "auth.invalid_key")
        raise Open311Error(403, code, getattr(exc, "zh_message", "api_key 无效")) from None
    if client is None:  # pragma: no cover - a non-empty key authenticates or raises
        raise Open311Error(403, "auth.invalid_key", "api_key 无效")
    return client


def _params(request: HttpRequest) -> dict[str, str]:
    """The POST body: form fields (the spec), or a JSON object of strings."""
    if request.content_type == "application/json":
        try:
            body = orjson.loads(request.body or b"{}")
        except orjson.JSONDecodeError:
            raise Open311Error(400, "open311.invalid_body", "请求体不是有效的 JSON") from None
        if not isinstance(body, dict):
            raise Open311Error(400, "open311.invalid_body", "请求体应为 JSON 对象")
        return {str(k): "" if v is None else str(v) for k, v in body.items()}
    return {k: request.POST.get(k, "") for k in request.POST}


@endpoint(("GET",))
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    return _respond(fmt, "services", [s.as_dict() for s in rules.SERVICES.values()])


@endpoint(("GET",))
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    return _respond(fmt, "service_definition", rules.definition(code))


@endpoint(("GET", "POST"))
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        params = _params(request)
        client = _client(request, params, required=True)
        assert client is not None
        if FILING_SCOPE not in client.scopes:
            raise Open311Error(403, "forbidden.scope", f"该 api_key 没有“{FILING_SCOPE}”权限")
        filing = rules.read_filing(params)
        item = open311_file(client=client, filing=filing)
        last = item.events.order_by("-at", "-pk").exclude(action="open311").first()
        notice = rules.status_notes(Status(item.status), reason=item.reason,
                                    merged_ref=item.merged_into.ref if item.merged_into
                                    else "")
        body = [{"service_request_id": item.ref,
                 "service_notice": last.public_note if last and last.public_note else notice,
                 "account_id": filing.account_id or None}]
        return _respond(fmt, "service_requests", body, status=201)
    client = _client(request, request.GET, required=False)
    query = rules.read_query(request.GET)
    rows = reads.request_rows(query, client_id=client.pk if client else None,
                              now=timezone.now())
    return _respond(fmt, "service_requests", rows)


@endpoint(("GET",))
def request_detail(request: HttpRequest, fmt: str, ref: str) -> HttpResponse:
    client = _client(request, request.GET, required=False)
    row = reads.request_row(ref, client_id=client.pk if client else None, now=timezone.now())
    return _respond(fmt, "service_requests", [row])
