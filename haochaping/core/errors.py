"""One application error hierarchy, mapped once to the JSON envelope and once to htmx.

Every API error body is ``{"code": "...", "message": "<Chinese>", "field": "..."|null}``
and, for several problems at once, ``"errors": [{...}, ...]``. Codes are stable strings:
clients match on them, so never rename one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class FieldProblem:
    code: str
    message: str
    field: str | None = None
    row: int | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message, "field": self.field}
        if self.row is not None:
            data["row"] = self.row
        return data


@dataclass(frozen=True)
class ItemError:
    """One problem with one item of a batch (an intake item, an applicant's identity):
    collected, not raised, so one bad item does not refuse the others."""

    field: str
    code: str
    message: str  # Chinese


class AppError(Exception):
    """Base error: ``code`` is stable, ``message`` is Chinese, ``field`` names the input."""

    def __init__(self, code: str = "error", message: str = "请求无法处理",
                 field: str | None = None, status: int = 400,
                 problems: list[FieldProblem] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status
        self.problems = problems or []

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message, "field": self.field}
        if self.problems:
            data["errors"] = [p.as_dict() for p in self.problems]
        return data


class ValidationError(AppError):
    def __init__(self, code: str, message: str, field: str | None = None,
                 problems: list[FieldProblem] | None = None) -> None:
        super().__init__(code=code, message=message, field=field, status=422,
                         problems=problems or [])


class NotFound(AppError):
    def __init__(self, code: str = "not_found", message: str = "对象不存在",
                 field: str | None = None) -> None:
        super().__init__(code=code, message=message, field=field, status=404)


class PermissionDenied(AppError):
    def __init__(self, code: str = "forbidden", message: str = "无权执行此操作",
                 field: str | None = None) -> None:
        super().__init__(code=code, message=message, field=field, status=403)


class Unauthenticated(AppError):
    def __init__(self, code: str = "unauthenticated", message: str = "缺少有效的身份凭证",
                 field: str | None = None) -> None:
        super().__init__(code=code, message=message, field=field, status=401)


class Conflict(AppError):
    def __init__(self, code: str = "conflict", message: str = "状态已变化，请刷新后重试",
                 field: str | None = None) -> None:
        super().__init__(code=code, message=message, field=field, status=409)


class RateLimited(AppError):
    def __init__(self, code: str = "rate_limited", message: str = "请求过于频繁，请稍后再试",
                 field: str | None = None) -> None:
        super().__init__(code=code, message=message, field=field, status=429)


class PayloadTooLarge(AppError):
    def __init__(self, code: str = "request.too_large", message: str = "请求体过大",
                 field: str | None = None) -> None:
        super().__init__(code=code, message=message, field=field, status=413)


class RuleViolation(ValueError):
    """Raised by pure rule modules (no HTTP status: services map it to an AppError).

    Same triple as the API envelope: stable ``code``, Chinese ``message``, ``field``.
    """

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
