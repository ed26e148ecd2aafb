"""The versioned REST API (`/api/v1/`, OpenAPI at `/api/docs`).

Each app contributes one Ninja router from its ``api.py``; errors are mapped here, once,
to the JSON envelope of :mod:`haochaping.core.errors`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from haochaping.core.bounds import DAY_RANGE_TEXT
from haochaping.core.edge import CleanParser, too_large
from haochaping.core.errors import AppError, FieldProblem

api = NinjaAPI(
    title="haochaping 好差评 API",
    version="1",
    urls_namespace="api-v1",
    docs_url="/docs",
    parser=CleanParser(),  # every string of a JSON body in NFC, no control characters
)


def _field_of(loc: list[Any] | tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "form")]
    return ".".join(parts) if parts else ""


_PYDANTIC_MESSAGES = {
    "missing": "必填字段缺失",
    "string_too_long": "内容过长",
    "string_too_short": "内容过短",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "datetime_parsing": "时间格式无效",
    "datetime_from_date_parsing": "时间格式无效",
    "date_from_datetime_parsing": "日期格式无效",
    "string_pattern_mismatch": "格式不正确",
    "json_invalid": "JSON 格式无效",
    "list_type": "须为数组",
    "too_long": "条目过多",
    "dict_type": "须为对象",
    "string_type": "须为字符串",
    "bool_parsing": "须为布尔值",
    "date_range": f"日期须在 {DAY_RANGE_TEXT} 之间",
    "date_parsing": "日期格式无效",
    "date_from_datetime_inexact": "日期格式无效",
    "int_from_float": "须为整数",
    "greater_than": "数值过小",
    "less_than": "数值过大",
}


@api.exception_handler(AppError)
def _app_error(request: HttpRequest, exc: AppError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    problems = [
        FieldProblem(
            code=f"invalid.{err.get('type', 'value')}",
            message=_PYDANTIC_MESSAGES.get(str(err.get("type")), "字段值无效"),
            field=_field_of(err.get("loc", ())) or None,
        )
        for err in exc.errors
    ]
    first = problems[0] if problems else FieldProblem("invalid", "请求数据无效")
    body = {"code": "invalid_request", "message": f"请求数据无效：{first.message}",
            "field": first.field, "errors": [p.as_dict() for p in problems]}
    return api.create_response(request, body, status=422)


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # core.edge refuses a declared oversized body first; this is a body that grew past
    # Django's in-memory limit while it was read.
    error = too_large(settings.HCP_MAX_BODY_BYTES)
    return api.create_response(request, error.as_dict(), status=error.status)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    # accounts.auth raises AuthenticationError subclasses carrying a stable code.
    body = {"code": getattr(exc, "code", "unauthenticated"),
            "message": getattr(exc, "zh_message", "缺少有效的身份凭证（API 密钥或登录会话）"),
            "field": None}
    return api.create_response(request, body, status=401)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {
        400: ("invalid_json", "请求体无法解析，须为有效的 JSON"),
        404: ("not_found", "对象不存在"),
        405: ("method_not_allowed", "不支持该请求方法"),
        403: ("forbidden", "无权执行此操作"),
        429: ("rate_limited", "请求过于频繁，请稍后再试"),
    }
    code, message = codes.get(exc.status_code, ("error", "请求无法处理"))
    return api.create_response(request, {"code": code, "message": message, "field": None},
                               status=exc.status_code)


def _mount_routers() -> None:
    from haochaping.accounts.api import router as accounts_router
    from haochaping.catalog.api import router as catalog_router
    from haochaping.evaluations.api import raters_router
    from haochaping.evaluations.api import router as evaluations_router
    from haochaping.evaluations.api_links import router as handling_links_router
    from haochaping.handlings.api import router as handlings_router

    api.add_router("/accounts", accounts_router)
    api.add_router("/catalog", catalog_router)
    # Rating links of a handling (evaluations) first: the intake router's detail path
    # would otherwise swallow /handlings/{proj_no}/invitation.
    api.add_router("/handlings", handling_links_router)
    api.add_router("/handlings", handlings_router)
    api.add_router("/evaluations", evaluations_router)
    api.add_router("/evaluations", "haochaping.evaluations.legacy.api.router")
    api.add_router("/raters", raters_router)
    api.add_router("/devices", "haochaping.evaluations.devices.api.router")
    api.add_router("/notify", "haochaping.notify.api.router")
    api.add_router("/workorders", "haochaping.workorders.api.router")
    api.add_router("/stats", "haochaping.stats.api.router")
    api.add_router("/stats/exports", "haochaping.stats.api_exports.router")
    api.add_router("/stats/ranking", "haochaping.stats.api_ranking.router")
    api.add_router("/exchange", "haochaping.exchange.inbound.api.router")
    api.add_router("/complaints", "haochaping.complaints.api.router")


_mount_routers()
