"""Start-up check of the audit keys' format (every environment; core.checks E007 refuses a
missing or demo key in production)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from haochaping.audit.rules import parse_audit_keys


@register(deploy=False)
def audit_keys_format(app_configs: Any, **kwargs: Any) -> list[Error]:
    spec = str(settings.HCP_AUDIT_KEYS)
    if not spec.strip():
        return []  # production: E007; elsewhere the demo key is the default
    try:
        parse_audit_keys(spec)
    except ValueError as exc:
        return [Error(f"审计日志密钥 HCP_AUDIT_KEYS 格式错误：{exc}", id="haochaping.E008")]
    return []
