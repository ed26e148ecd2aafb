"""Start-up checks: production refuses demo secrets and DEBUG (``manage.py check --deploy``
and every production start run them)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register


@register(deploy=False)
def production_secrets(app_configs: Any, **kwargs: Any) -> list[Error]:
    if settings.HCP_ENV != "production":
        return []
    errors: list[Error] = []
    if settings.SECRET_KEY == settings.DEMO_SECRET_KEY or len(settings.SECRET_KEY) < 32:
        errors.append(Error("生产环境必须设置 SECRET_KEY（至少32个字符，且不得使用演示密钥）",
                            id="haochaping.E001"))
    if settings.DEMO_FIELD_KEY in settings.HCP_FIELD_KEYS:
        errors.append(Error("生产环境必须设置 HCP_FIELD_KEYS，不得使用演示加密密钥",
                            id="haochaping.E002"))
    if settings.HCP_BLIND_INDEX_KEY == settings.DEMO_FIELD_KEY:
        errors.append(Error("生产环境必须设置 HCP_BLIND_INDEX_KEY", id="haochaping.E003"))
    if settings.DEBUG:
        errors.append(Error("生产环境不得开启 DEBUG", id="haochaping.E004"))
    if settings.HCP_SMS_GATEWAY_SECRET == settings.DEMO_SMS_GATEWAY_SECRET:
        errors.append(Error("生产环境不得使用演示短信网关密钥 HCP_SMS_GATEWAY_SECRET",
                            id="haochaping.E005"))
    return errors


def assert_production_ready() -> None:
    """Called by the WSGI entry point and the worker: refuse to start on demo secrets."""
    problems = production_secrets(None)
    if problems:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("; ".join(str(p.msg) for p in problems))
