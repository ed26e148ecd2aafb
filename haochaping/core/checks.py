"""Start-up checks: production refuses demo secrets and DEBUG, the console SMS backend, a
pad change counter that only one web process would see, and a PostgreSQL that can lose
acknowledged commits (``manage.py check --deploy`` and every production start run them)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register


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


# SMS backends that deliver nothing and write each message, verification codes and
# rating links included, into the log (notify.backends): the demo's only.
DEMO_SMS_BACKENDS = frozenset({"console"})


@register(deploy=False)
def production_sms_backend(app_configs: Any, **kwargs: Any) -> list[Error]:
    """The console backend sends no SMS and logs every message (codes and links are
    credentials, the address a rater's phone): refused in production (issue 17)."""
    if settings.HCP_ENV != "production" or settings.HCP_SMS_BACKEND not in DEMO_SMS_BACKENDS:
        return []
    return [Error("生产环境不得使用控制台短信通道（HCP_SMS_BACKEND=console）：它不发送短信，"
                  "并把短信内容（含验证码和评价链接）写入日志",
                  hint="设置 HCP_SMS_BACKEND=http 和 HCP_SMS_GATEWAY_URL（docs/notify.md）",
                  id="haochaping.E009")]


# Privacy-number relays that call nobody (notify.telephony): a production call-back through
# them would never ring the rater.
DEMO_TELEPHONY = frozenset({"fake", "console"})


@register(deploy=False)
def production_telephony(app_configs: Any, **kwargs: Any) -> list[Error]:
    if settings.HCP_ENV != "production" or settings.HCP_TELEPHONY_BACKEND not in DEMO_TELEPHONY:
        return []
    return [Error("生产环境不得使用演示隐私号平台 HCP_TELEPHONY_BACKEND="
                  f"{settings.HCP_TELEPHONY_BACKEND}：须接入运营商隐私号平台",
                  id="haochaping.E010")]


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


# PostgreSQL settings that let a crash lose acknowledged commits: a rating the rater saw
# accepted, or an audit event, gone after a power cut (issue 17, docs/security.md).
DURABILITY_SETTINGS = ("fsync", "synchronous_commit", "full_page_writes")


def durability_problems(values: dict[str, str]) -> list[str]:
    """Which of the server's ``DURABILITY_SETTINGS`` (name → ``SHOW`` value) lose
    acknowledged commits on a crash, in Chinese; [] = durable. ``synchronous_commit``
    ``local``/``remote_write``/``remote_apply``/``on`` all flush the primary's WAL first."""
    problems = []
    if values.get("fsync", "on") != "on":
        problems.append("PostgreSQL 的 fsync 已关闭：掉电或崩溃会丢失已确认的数据")
    if values.get("synchronous_commit", "on") == "off":
        problems.append("PostgreSQL 的 synchronous_commit 为 off：崩溃时会丢失已确认的提交")
    if values.get("full_page_writes", "on") != "on":
        problems.append("PostgreSQL 的 full_page_writes 已关闭：崩溃后数据页可能损坏")
    return problems


def database_durability(connection: Any) -> list[str]:
    """``durability_problems`` of the server behind ``connection`` (PostgreSQL; SQLite
    runs with its own synchronous setting and is not a production database here)."""
    if connection.vendor != "postgresql":
        return []
    values = {}
    with connection.cursor() as cursor:
        for name in DURABILITY_SETTINGS:
            cursor.execute(f"SHOW {name}")
            values[name] = str(cursor.fetchone()[0]).lower()
    return durability_problems(values)


@register(deploy=True)
def production_durability(app_configs: Any, **kwargs: Any) -> list[Error]:
    if settings.HCP_ENV != "production":
        return []
    from django.db import connection

    return [Error(p, id="haochaping.E008") for p in database_durability(connection)]


# The tag of the checks an app above core registers for every production start (core
# cannot import them: the exchange's demo keys, E011).
START_TAG = "haochaping_start"


def assert_production_ready() -> None:
    """Called by the WSGI entry point, the worker and padwait: refuse to start on demo
    secrets, the console SMS backend, a demo privacy-number relay, a per-process pad counter
    or a database that loses acknowledged commits, and on what the apps' ``START_TAG``
    checks find."""
    from django.core.checks import run_checks

    problems: list[CheckMessage] = [
        *production_secrets(None), *production_sms_backend(None),
        *production_pad_counter(None), *production_telephony(None),
        *production_durability(None)]
    problems += [p for p in run_checks(tags=[START_TAG]) if p.is_serious()]
    if problems:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("; ".join(str(p.msg) for p in problems))


@register(deploy=False)
def privacy_notice(app_configs: Any, **kwargs: Any) -> list[Error]:
    """Every rating stores the notice version its pages link to: the version must be a
    valid name and its text must exist (core.privacy)."""
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template

    from haochaping.core.privacy import notice_template, notice_version, valid_version

    version = notice_version()
    if not valid_version(version):
        return [Error(f"HCP_PRIVACY_NOTICE_VERSION“{version}”无效：须为 1 至 16 个字母、数字、"
                      "点、横线或下划线，且不得为保留字", id="haochaping.E020")]
    try:
        get_template(notice_template(version))
    except TemplateDoesNotExist:
        return [Error(f"缺少第 {version} 版个人信息保护告知模板 {notice_template(version)}",
                      id="haochaping.E020")]
    return []
