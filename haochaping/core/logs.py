"""Structured logs and the security-event stream (issue 17, docs/security.md "Logs").

Every log line is one JSON object (python-json-logger) when ``HCP_LOG_FORMAT=json``, the
default in production. Security events — sign-in, sign-out, failed sign-in, lock-out,
answers refused with 401/403/429, unmasked identity reads, audit-chain checks — go to the
logger ``haochaping.security``, which ``settings.LOGGING`` writes to its own file
(``HCP_LOG_DIR/security.jsonl``, rotated daily, kept ``HCP_LOG_RETENTION_DAYS`` days: 180 by
default, the six months 网络安全法 §21 asks for) beside the console.

Events carry ids, roles, paths and addresses only: never a rater's name, phone or ID
number, never a password or a token (the caller passes what may be logged).

Whatever a line carries all the same — a phone in an exception's message, an ID number in
a query string of an access-log line — is masked on the way out (issue 17): the filter
``PersonalDataFilter`` sits on every handler of ``settings.LOGGING`` (and on gunicorn's,
``core.gunicorn_logs``) and masks mobile numbers, 18-digit ID numbers and landlines in the
message, its arguments, its extra fields and its traceback, and hides the values of
personal and secret query parameters in the URLs it holds (``core.pii.scrub``); the
formatters scrub the finished line once more (a request object or a traceback rendered
by the formatter itself).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.log import ServerFormatter
from pythonjsonlogger.json import JsonFormatter

from haochaping.core.clientip import client_ip_or_none
from haochaping.core.pii import scrub

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


SCRUBBED = "_hcp_scrubbed"  # marks a record the filter has been through
# Attributes every LogRecord has; anything else on a record is an ``extra`` field.
_RECORD_FIELDS = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message", "asctime"}


def _scrubbed(value: Any) -> Any:
    """``value`` with personal data masked: strings scrubbed, containers walked, numbers
    long enough to be a phone or an ID number masked as text, other objects left alone
    (the formatter's own scrub covers how they are rendered)."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        text = str(value)
        return value if len(text) < 10 or scrub(text) == text else scrub(text)
    if isinstance(value, dict):
        return {k: _scrubbed(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_scrubbed(v) for v in value)
    return value


class PersonalDataFilter(logging.Filter):
    """On every handler: the record's message (with its arguments merged in), extra
    fields, traceback and stack text with personal data masked. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, SCRUBBED, False):
            return True  # another handler of the same record did it already
        if isinstance(record.msg, dict) and not record.args:  # a JSON formatter's dict
            record.msg = _scrubbed(record.msg)
        else:
            try:
                message = record.getMessage()
            except Exception:  # a broken format string: logging reports it at emit
                message = str(record.msg)
            record.msg, record.args = scrub(message), ()
        for key, value in list(record.__dict__.items()):
            if key not in _RECORD_FIELDS:
                record.__dict__[key] = _scrubbed(value)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        setattr(record, SCRUBBED, True)
        return True


class ScrubbingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class ScrubbingServerFormatter(ServerFormatter):
    """``runserver``'s access lines (logger ``django.server``), scrubbed."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class ScrubbingJsonFormatter(JsonFormatter):
    """JSON lines whose every value is scrubbed before encoding (after encoding, the
    escaped Chinese next to a number would hide it from the patterns)."""

    def process_log_record(self, log_record: dict[str, Any]) -> dict[str, Any]:
        log_record.pop(SCRUBBED, None)
        return {key: (value if isinstance(value, (int, float, bool)) or value is None
                      else _scrubbed(value if isinstance(value, (str, dict, list, tuple))
                                     else str(value)))
                for key, value in super().process_log_record(log_record).items()}


def logging_config(*, level: str, fmt: str, log_dir: str, retention_days: int) -> dict[str, Any]:
    """``settings.LOGGING``: console (JSON or text) for everything; with ``log_dir`` also
    ``app.jsonl`` and the security stream ``security.jsonl``, each rotated at midnight and
    kept ``retention_days`` days."""
    json_fields = "%(asctime)s %(levelname)s %(name)s %(message)s"
    formatters = {
        "json": {"()": "haochaping.core.logs.ScrubbingJsonFormatter", "fmt": json_fields,
                 "rename_fields": {"asctime": "time", "levelname": "level",
                                   "name": "logger"}},
        "text": {"()": "haochaping.core.logs.ScrubbingFormatter",
                 "format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "server": {"()": "haochaping.core.logs.ScrubbingServerFormatter",
                   "format": "[{server_time}] {message}", "style": "{"},
    }
    masked = ["personal_data"]
    handlers: dict[str, Any] = {
        "console": {"class": "logging.StreamHandler", "filters": masked,
                    "formatter": "json" if fmt == "json" else "text"},
        # runserver's access lines (Django's own handler for them has no filter).
        "server": {"class": "logging.StreamHandler", "filters": masked,
                   "formatter": "json" if fmt == "json" else "server"}}
    root = ["console"]
    security = ["console"]
    if log_dir:
        for name, file in (("app_file", "app.jsonl"), ("security_file", "security.jsonl")):
            handlers[name] = {"class": "logging.handlers.TimedRotatingFileHandler",
                              "filename": f"{log_dir}/{file}", "when": "midnight",
                              "backupCount": retention_days, "encoding": "utf-8",
                              "delay": True, "formatter": "json", "filters": masked}
        root.append("app_file")
        security.append("security_file")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"personal_data": {"()": "haochaping.core.logs.PersonalDataFilter"}},
        "formatters": formatters,
        "handlers": handlers,
        "root": {"handlers": root, "level": level},
        "loggers": {"haochaping.security": {"handlers": security, "level": "INFO",
                                            "propagate": False},
                    "django.server": {"handlers": ["server"], "level": "INFO",
                                      "propagate": False},
                    # Django's own console handler for it has no mask: its records go
                    # to the root's handlers instead.
                    "django": {"handlers": [], "level": level, "propagate": True}},
    }
