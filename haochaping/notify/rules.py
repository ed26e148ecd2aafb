"""Pure rules of the notify layer: template rendering, SMS length, retry back-off,
gateway signatures and SMS reply parsing. No database access (STYLE.md §1)."""

from __future__ import annotations

import hashlib
import hmac
import math
import string
from dataclasses import dataclass

# GSM/UCS-2 SMS sizes as Chinese carriers bill them: a message of up to 70 characters is
# one SMS; a longer one is sent concatenated, 67 characters per part (the rest of each
# part carries the concatenation header).
# Templates a person is waiting for on a screen (verification codes): delivered from the
# urgent queue, never behind invitations, reports or rebuilds (core.engine.rules).
URGENT_TEMPLATES: frozenset[str] = frozenset({"sms_code"})

SMS_SINGLE_LIMIT = 70
SMS_PART_LIMIT = 67

# The placeholders each seeded template may use: an edit that introduces another one would
# make every message of that template fail at delivery, so template_update refuses it.
TEMPLATE_PARAMS: dict[str, frozenset[str]] = {
    "evaluation_invite": frozenset({"org", "matter", "link"}),
    "bad_reason_followup": frozenset({"matter"}),
    "sms_code": frozenset({"code", "minutes"}),
    "rectification_reply": frozenset({"matter", "summary", "link"}),
    "deadline_warning": frozenset({"ticket", "deadline"}),
    "workorder_urgent": frozenset({"ticket", "deadline"}),
    "workorder_returned": frozenset({"ticket", "deadline"}),
}


class TemplateError(ValueError):
    """A template body or its parameters are unusable; ``code`` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def placeholders(body: str) -> frozenset[str]:
    """The ``{name}`` placeholders of a body; positional, indexed, attribute or formatted
    fields are refused (a template is text plus plain names, nothing else)."""
    names: set[str] = set()
    try:
        parsed = list(string.Formatter().parse(body))
    except ValueError as exc:
        raise TemplateError("notify.template_syntax", "模板中的花括号不成对") from exc
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            raise TemplateError("notify.template_syntax",
                                f"模板占位符“{{{field}}}”无效：只能使用 {{名称}} 形式")
        names.add(field)
    return frozenset(names)


def check_template(code: str, body: str) -> None:
    """Refuse an empty body or placeholders the callers of ``code`` never supply."""
    if not body.strip():
        raise TemplateError("notify.template_empty", "模板内容不能为空")
    used = placeholders(body)
    allowed = TEMPLATE_PARAMS.get(code)
    if allowed is not None and not used <= allowed:
        unknown = "、".join(sorted(used - allowed))
        raise TemplateError("notify.template_unknown_placeholder",
                            f"模板使用了调用方不提供的占位符：{unknown}")


def render(body: str, params: dict[str, str]) -> str:
    """Fill ``{name}`` placeholders; a missing parameter is an error, never a blank."""
    used = placeholders(body)
    missing = sorted(used - params.keys())
    if missing:
        raise TemplateError("notify.missing_param", f"缺少模板参数：{'、'.join(missing)}")
    return body.format_map({name: str(params[name]) for name in used})


def sms_parts(text: str) -> int:
    """How many SMS a text is billed as (70 single, 67 per concatenated part)."""
    length = len(text)
    if length <= SMS_SINGLE_LIMIT:
        return 1
    return math.ceil(length / SMS_PART_LIMIT)


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: int
    cap_seconds: int
    max_attempts: int


@dataclass(frozen=True)
class RetryDecision:
    dead: bool
    delay_seconds: float


def retry_after(attempts: int, policy: RetryPolicy, jitter: float) -> RetryDecision:
    """Decide what follows a failed attempt.

    ``attempts`` counts the attempts made so far (1 after the first failure). After
    attempt n the message waits ``min(base · 2^(n-1), cap)`` scaled into its upper half
    by ``jitter`` in [0, 1] (0 → half the delay, 1 → the full delay), so retries of many
    messages that failed together spread out. After ``max_attempts`` the message is dead.
    """
    if attempts >= policy.max_attempts:
        return RetryDecision(dead=True, delay_seconds=0.0)
    jitter = min(max(jitter, 0.0), 1.0)
    exponent = max(attempts - 1, 0)
    raw = min(policy.base_seconds * 2.0 ** min(exponent, 32), float(policy.cap_seconds))
    return RetryDecision(dead=False, delay_seconds=raw / 2 + raw / 2 * jitter)


def retryable_status(status: int) -> bool:
    """Gateway HTTP answers worth retrying: throttling and server errors."""
    return status == 429 or status >= 500


# Gateway signatures: HMAC-SHA256 over "<unix timestamp>.<raw body>", hex, in the header
# X-HCP-Signature with the timestamp in X-HCP-Timestamp. The timestamp bounds replays.
SIGNATURE_HEADER = "X-HCP-Signature"
TIMESTAMP_HEADER = "X-HCP-Timestamp"
SIGNATURE_TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return mac.hexdigest()


def signature_valid(secret: str, timestamp: str, body: bytes, signature: str,
                    now_epoch: float) -> bool:
    """True for a signature made with ``secret`` within the tolerance of ``now``."""
    if not secret or not signature or not timestamp.isdigit():
        return False
    if abs(now_epoch - int(timestamp)) > SIGNATURE_TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature.strip().lower())
