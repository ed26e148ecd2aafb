"""Structured logs and the security-event stream (issue 17, docs/security.md "Logs").

Every log line is one JSON object (python-json-logger) when ``HCP_LOG_FORMAT=json``, the
default in production. Security events — sign-in, sign-out, failed sign-in, lock-out,
answers refused with 401/403/429, unmasked identity reads, audit-chain checks — go to the
logger ``haochaping.security``, which ``settings.LOGGING`` writes to its own file
(``HCP_LOG_DIR/security.jsonl``, rotated daily, kept ``HCP_LOG_RETENTION_DAYS`` days: 180 by
default, the six months 网络安全法 §21 asks for) beside the console.

Events carry ids, roles, paths and addresses only: never a rater's name, phone or ID
number, never a password or a token (the caller passes what may be logged).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from haochaping.core.clientip import client_ip_or_none

SECURITY = logging.getLogger("haochaping.security")
REFUSED_STATUSES = frozenset({401, 403, 429})


def security_event(event: str, *, level: int = logging.INFO, **fields: Any) -> None:
    """One event of the security stream: ``event`` is a stable dotted name."""
    SECURITY.log(level, event, extra={"event": event, **fields})


def _who(request: HttpRequest | None) -> dict[str, Any]:
    if request is None:
        return {}
    user = getattr(request, "user", None)
    who: dict[str, Any] = {"ip": client_ip_or_none(request), "path": request.path,
                           "method": request.method}
    if user is not None and user.is_authenticated:
        who |= {"user_id": user.pk, "role": getattr(user, "role", "")}
    return who


def on_logged_in(sender: Any, request: HttpRequest | None = None, user: Any = None,
                 **_: Any) -> None:
    security_event("auth.login", **{**_who(request), "user_id": getattr(user, "pk", None)})


def on_logged_out(sender: Any, request: HttpRequest | None = None, user: Any = None,
                  **_: Any) -> None:
    security_event("auth.logout", **{**_who(request), "user_id": getattr(user, "pk", None)})


def on_login_failed(sender: Any, credentials: dict[str, Any] | None = None,
                    request: HttpRequest | None = None, **_: Any) -> None:
    # Django masks the password in ``credentials``; only the user name is kept.
    username = str((credentials or {}).get("username", ""))[:150]
    security_event("auth.login_failed", level=logging.WARNING, **_who(request),
                   username=username)


def on_locked_out(sender: Any, request: HttpRequest | None = None, username: str = "",
                  ip_address: str = "", **_: Any) -> None:
    security_event("auth.locked_out", level=logging.WARNING, **_who(request),
                   username=str(username)[:150], locked_ip=ip_address)


class SecurityEventMiddleware:
    """Answers refused for authentication, permission or rate (401/403/429) as events."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in REFUSED_STATUSES:
            security_event(f"http.{response.status_code}", level=logging.WARNING,
                           **_who(request))
        return response


def connect_signals() -> None:
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    user_logged_in.connect(on_logged_in, dispatch_uid="core.logs.login")
    user_logged_out.connect(on_logged_out, dispatch_uid="core.logs.logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="core.logs.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="core.logs.locked_out")


def logging_config(*, level: str, fmt: str, log_dir: str, retention_days: int) -> dict[str, Any]:
    """``settings.LOGGING``: console (JSON or text) for everything; with ``log_dir`` also
    ``app.jsonl`` and the security stream ``security.jsonl``, each rotated at midnight and
    kept ``retention_days`` days."""
    json_fields = "%(asctime)s %(levelname)s %(name)s %(message)s"
    formatters = {
        "json": {"()": "pythonjsonlogger.json.JsonFormatter", "fmt": json_fields,
                 "rename_fields": {"asctime": "time", "levelname": "level",
                                   "name": "logger"}},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    }
    handlers: dict[str, Any] = {
        "console": {"class": "logging.StreamHandler",
                    "formatter": "json" if fmt == "json" else "text"}}
    root = ["console"]
    security = ["console"]
    if log_dir:
        for name, file in (("app_file", "app.jsonl"), ("security_file", "security.jsonl")):
            handlers[name] = {"class": "logging.handlers.TimedRotatingFileHandler",
                              "filename": f"{log_dir}/{file}", "when": "midnight",
                              "backupCount": retention_days, "encoding": "utf-8",
                              "delay": True, "formatter": "json"}
        root.append("app_file")
        security.append("security_file")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": formatters,
        "handlers": handlers,
        "root": {"handlers": root, "level": level},
        "loggers": {"haochaping.security": {"handlers": security, "level": "INFO",
                                            "propagate": False}},
    }
