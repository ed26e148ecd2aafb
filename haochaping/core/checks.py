"""Start-up checks: production refuses demo secrets and DEBUG, and a pad change counter
that only one web process would see (``manage.py check --deploy`` and every production
start run them)."""

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
    if not settings.HCP_AUDIT_KEYS.strip() or settings.DEMO_AUDIT_KEY in settings.HCP_AUDIT_KEYS:
        errors.append(Error("生产环境必须设置审计日志密钥 HCP_AUDIT_KEYS，不得使用演示密钥",
                            id="haochaping.E007"))
    return errors


# Caches that live inside one process: a value set in one gunicorn worker is unseen by
# the others.
PER_PROCESS_CACHES = frozenset({"django.core.cache.backends.locmem.LocMemCache",
                                "django.core.cache.backends.dummy.DummyCache"})


@register(deploy=False)
def production_pad_counter(app_configs: Any, **kwargs: Any) -> list[Error]:
    """Short-polling pads read the window's change counter (``pad:window:<id>``) from the
    default cache, bumped by whichever web process took the intake: with a per-process
    cache a pad misses work reported through another process. Production needs a shared
    cache (REDIS_URL) or the long-poll service (HCP_PAD_WAIT_URL), whose version is
    derived from the rows (docs/channels.md)."""
    if settings.HCP_ENV != "production" or settings.HCP_PAD_WAIT_URL:
        return []
    if settings.CACHES["default"]["BACKEND"] not in PER_PROCESS_CACHES:
        return []
    return [Error("生产环境须配置共享缓存 REDIS_URL 或评价器长轮询 HCP_PAD_WAIT_URL："
                  "否则评价器只能看到同一进程接收的办件",
                  hint="设置 REDIS_URL（需安装 redis）或 HCP_PAD_WAIT_URL=/pad/wait 并运行 "
                       "haochaping padwait", id="haochaping.E006")]


def assert_production_ready() -> None:
    """Called by the WSGI entry point, the worker and padwait: refuse to start on demo
    secrets or a per-process pad counter."""
    problems = [*production_secrets(None), *production_pad_counter(None)]
    if problems:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("; ".join(str(p.msg) for p in problems))
