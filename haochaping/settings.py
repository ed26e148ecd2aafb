"""Django settings. Every value comes from the environment (see docs/configuration.md).

Defaults are safe for the demo only: ``HCP_ENV=production`` refuses the demo secret key,
the demo field-encryption key and ``DEBUG`` (see ``haochaping.core.checks``).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from haochaping.core.clientip import parse_networks
from haochaping.core.env import ConfigError, env_bool, env_int, env_list, env_str
from haochaping.core.headers import CSP
from haochaping.core.localtime import TIME_ZONE_NAME
from haochaping.core.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("HCP_VAR_DIR", str(BASE_DIR / "var")))

DEMO_SECRET_KEY = "demo-only-insecure-secret-key-change-me"
# A 32-byte demo key (base64). Production must set HCP_FIELD_KEYS.
DEMO_FIELD_KEY = "ZGVtby1vbmx5LWZpZWxkLWtleS0zMmJ5dGVzLWxvbmc="

HCP_ENV = env_str("HCP_ENV", "demo")  # demo | production
SECRET_KEY = env_str("SECRET_KEY", DEMO_SECRET_KEY)
DEBUG = env_bool("DEBUG", HCP_ENV != "production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Field-level encryption keys for rater PII: "id:base64key,id:base64key"; the first is
# used to encrypt, all are tried to decrypt (key rotation). Algorithm: aes-gcm | sm4-gcm.
HCP_FIELD_KEYS = env_str("HCP_FIELD_KEYS", f"demo:{DEMO_FIELD_KEY}")
HCP_FIELD_CIPHER = env_str("HCP_FIELD_CIPHER", "aes-gcm")
# Key for the keyed blind index (HMAC) that finds a rater by phone or ID number.
HCP_BLIND_INDEX_KEY = env_str("HCP_BLIND_INDEX_KEY", DEMO_FIELD_KEY)

# Audit chain keys (docs/audit.md): "id:base64key,id:base64key", at least 32 bytes each;
# the first signs new audit rows and anchors, all verify (rotation). Never in the database
# or the repository: production has no default and refuses to start without one
# (core.checks E007); the demo and the tests use this demo-only key.
DEMO_AUDIT_KEY = "ZGVtby1vbmx5LWF1ZGl0LWNoYWluLWhtYWMta2V5ISE="
HCP_AUDIT_KEYS = env_str("HCP_AUDIT_KEYS",
                         "" if HCP_ENV == "production" else f"demo:{DEMO_AUDIT_KEY}")
# Where the audit chain heads are anchored outside the database (audit.anchor_store):
# "file" (signed files in HCP_AUDIT_ANCHOR_DIR) or the dotted path of an AnchorStore.
HCP_AUDIT_ANCHOR_STORE = env_str("HCP_AUDIT_ANCHOR_STORE", "file")
HCP_AUDIT_ANCHOR_DIR = Path(env_str("HCP_AUDIT_ANCHOR_DIR", str(VAR_DIR / "anchors")))

# The deployment's policy preset (catalog.policies): national, zhengdong, chongqing,
# jiangxi, haiyang, xinxiang. Org subtrees may override single values in the database.
HCP_POLICY_PRESET = env_str("HCP_POLICY_PRESET", "national")
# Per-process memo of hot configuration rows (API clients, policies, the active standard):
# a change is in force in every worker process within this many seconds (core.memo).
HCP_LOCAL_CACHE_SECONDS = env_int("HCP_LOCAL_CACHE_SECONDS", 5)
HCP_DB_PREPARE = env_bool("HCP_DB_PREPARE", True)  # core.fastsql: hot-path prepared statements

# Notifications (notify app, docs/notify.md). SMS backend: console (demo: logs a masked
# line) | http (POSTs signed JSON to the gateway). The same secret signs outbound requests
# and verifies the gateway's inbound webhook.
HCP_SMS_BACKEND = env_str("HCP_SMS_BACKEND", "console")
HCP_SMS_GATEWAY_URL = env_str("HCP_SMS_GATEWAY_URL", "")
# The demo's own secret lets `manage.py demo_sms_reply` play the gateway's inbound webhook;
# production refuses it (core.checks) and has no default.
DEMO_SMS_GATEWAY_SECRET = "demo-only-sms-gateway-secret"
HCP_SMS_GATEWAY_SECRET = env_str("HCP_SMS_GATEWAY_SECRET",
                                 "" if HCP_ENV == "production" else DEMO_SMS_GATEWAY_SECRET)
HCP_SMS_TIMEOUT_SECONDS = env_int("HCP_SMS_TIMEOUT_SECONDS", 5)
HCP_SMS_MAX_ATTEMPTS = env_int("HCP_SMS_MAX_ATTEMPTS", 6)
HCP_SMS_RETRY_BASE_SECONDS = env_int("HCP_SMS_RETRY_BASE_SECONDS", 30)
HCP_SMS_RETRY_CAP_SECONDS = env_int("HCP_SMS_RETRY_CAP_SECONDS", 3600)
HCP_SMS_INBOUND_PER_MINUTE = env_int("HCP_SMS_INBOUND_PER_MINUTE", 6)
# Messages sent at once by one delivery task (threads waiting on the gateway, not CPU).
HCP_SMS_CONCURRENCY = env_int("HCP_SMS_CONCURRENCY", 16)
# A claimed message left "sending" this long past its HTTP timeout (its worker died) is
# sent again, under the same message_id.
HCP_SMS_LEASE_MARGIN_SECONDS = env_int("HCP_SMS_LEASE_MARGIN_SECONDS", 60)
# Privacy-number relay for call-backs (隐私号, notify.telephony, docs/notify.md): fake (tests)
# | console (demo: logs a masked line) | off (no platform: call-backs fall back to the
# audited once-per-order reveal). Production refuses fake and console (core.checks).
HCP_TELEPHONY_BACKEND = env_str("HCP_TELEPHONY_BACKEND",
                                "off" if HCP_ENV == "production" else "console")
HCP_TELEPHONY_TTL_MINUTES = env_int("HCP_TELEPHONY_TTL_MINUTES", 120)
# Upward delivery to the remote platforms (exchange app, docs/exchange.md "Upward").
# Attempts of a record before the dead letters; back-off min(base·2^(n-1), cap), jittered.
HCP_EXCHANGE_MAX_ATTEMPTS = env_int("HCP_EXCHANGE_MAX_ATTEMPTS", 10)
HCP_EXCHANGE_RETRY_BASE_SECONDS = env_int("HCP_EXCHANGE_RETRY_BASE_SECONDS", 10)
HCP_EXCHANGE_RETRY_CAP_SECONDS = env_int("HCP_EXCHANGE_RETRY_CAP_SECONDS", 1800)
# Delivery tasks per remote at once, each claiming its own batches.
HCP_EXCHANGE_SLOTS = env_int("HCP_EXCHANGE_SLOTS", 4)
# Circuit breaker: this many failed requests in a row stop sending to a remote for
# HCP_EXCHANGE_BREAKER_OPEN_SECONDS, then one probe request decides.
HCP_EXCHANGE_BREAKER_FAILURES = env_int("HCP_EXCHANGE_BREAKER_FAILURES", 5)
HCP_EXCHANGE_BREAKER_OPEN_SECONDS = env_int("HCP_EXCHANGE_BREAKER_OPEN_SECONDS", 30)
# A claimed record left "sending" this long past the remote's timeout (its worker died)
# is sent again, under the same key.
HCP_EXCHANGE_LEASE_MARGIN_SECONDS = env_int("HCP_EXCHANGE_LEASE_MARGIN_SECONDS", 60)
# Daily reconciliation (对账, docs/exchange.md "Reconciliation"): yesterday is checked from
# this hour of today (Beijing time); days with differences are checked again once a day
# for this many days.
HCP_EXCHANGE_RECONCILE_SETTLE_HOURS = env_int("HCP_EXCHANGE_RECONCILE_SETTLE_HOURS", 2)
HCP_EXCHANGE_RECONCILE_RECHECK_DAYS = env_int("HCP_EXCHANGE_RECONCILE_RECHECK_DAYS", 7)
# Task engine (ADR 0005): a worker silent this long is dead and its tasks requeued.
HCP_WORKER_STALL_SECONDS = env_int("HCP_WORKER_STALL_SECONDS", 30)
# Successful task results are kept this many days (failed ones until retried or deleted).
HCP_TASK_RESULT_DAYS = env_int("HCP_TASK_RESULT_DAYS", 7)
# Requests a remote platform may post to the inbound exchange API per minute, and the
# largest body taken (docs/exchange.md "Downward"): a batch of 100 items fits in a few
# hundred KB.
HCP_EXCHANGE_INBOUND_PER_MINUTE = env_int("HCP_EXCHANGE_INBOUND_PER_MINUTE", 600)
HCP_EXCHANGE_INBOUND_MAX_BYTES = env_int("HCP_EXCHANGE_INBOUND_MAX_BYTES", 2_000_000)
# Base of the links sent to raters (SMS invitation → {base}/r/<token>).
HCP_PUBLIC_BASE_URL = env_str("HCP_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
# Evaluator pads long-poll this same-origin URL (`haochaping padwait` behind the reverse
# proxy, e.g. "/pad/wait"); empty = they short-poll /pad/state through Django.
HCP_PAD_WAIT_URL = env_str("HCP_PAD_WAIT_URL", "")
# An active evaluator device not heard from for this many minutes is on the office's
# offline list (docs/devices.md; pads heartbeat every 5 minutes at most).
HCP_DEVICE_OFFLINE_MINUTES = env_int("HCP_DEVICE_OFFLINE_MINUTES", 10)
if HCP_DEVICE_OFFLINE_MINUTES < 1:
    raise ConfigError("HCP_DEVICE_OFFLINE_MINUTES must be at least 1")
# Reverse proxies (addresses or CIDR networks, comma-separated) whose X-Forwarded-For is
# believed (core.clientip); empty = the header is ignored and REMOTE_ADDR is the client.
HCP_TRUSTED_PROXIES = env_list("HCP_TRUSTED_PROXIES", [])
try:
    parse_networks(HCP_TRUSTED_PROXIES)
except ValueError as exc:
    raise ConfigError(str(exc)) from exc

# Networks the admin site and the API docs answer from in production (core.gate); empty
# = any address (still signed-in staff only).
HCP_ADMIN_NETWORKS = env_list("HCP_ADMIN_NETWORKS", [])
try:
    parse_networks(HCP_ADMIN_NETWORKS)
except ValueError as exc:
    raise ConfigError(str(exc).replace("HCP_TRUSTED_PROXIES", "HCP_ADMIN_NETWORKS")) from exc

# Request bodies (core.edge): larger ones are refused with 413 before they are read.
# Multipart uploads (catalog import files up to 50 MB, work-order attachments up to 20 MB
# each) have their own, larger limit; Django's in-memory limit follows the first.
HCP_MAX_BODY_BYTES = env_int("HCP_MAX_BODY_BYTES", 4 * 1024 * 1024)
HCP_MAX_UPLOAD_BYTES = env_int("HCP_MAX_UPLOAD_BYTES", 52 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = HCP_MAX_BODY_BYTES
# Statistics exports (stats.export_rules): a drill-down of ratings, or any export of more
# rows than this, needs the supervising office's approval, which serves one download
# within this many hours.
HCP_EXPORT_APPROVAL_ROWS = env_int("HCP_EXPORT_APPROVAL_ROWS", 10_000)
HCP_EXPORT_APPROVAL_HOURS = env_int("HCP_EXPORT_APPROVAL_HOURS", 72)
# The answer to an API POST sent with an Idempotency-Key is replayed to a retry with the
# same key for this many hours (core.idempotency).
HCP_IDEMPOTENCY_HOURS = env_int("HCP_IDEMPOTENCY_HOURS", 24)
# The privacy notice every rating page links to; stored with each rating (core.privacy).
HCP_PRIVACY_NOTICE_VERSION = env_str("HCP_PRIVACY_NOTICE_VERSION", "1")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "haochaping.core.axes_app.AxesConfig",  # django-axes, named in Chinese
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    # Django Ninja's own static files: Swagger UI served from here, never a CDN (intranets).
    "ninja",
    "django_tasks",
    "haochaping.core.taskdb_app.TaskEngineDbConfig",  # django_tasks_db, named in Chinese
    "haochaping.core",
    "haochaping.accounts",
    "haochaping.audit",
    "haochaping.catalog",
    "haochaping.vault",
    "haochaping.handlings",
    "haochaping.evaluations",
    "haochaping.notify",
    "haochaping.workorders",
    "haochaping.complaints",
    "haochaping.stats",
    "haochaping.supervision",
    "haochaping.integrity", "haochaping.problems",  # issue 15, above supervision
    "haochaping.assessment", "haochaping.appraisal",
    "haochaping.exchange",
    "haochaping.disclosure",
    "haochaping.workbench",
    "haochaping.demo",
]

MIDDLEWARE = [
    # First: a body over the limit is refused (413) before anything reads it, and every
    # string of the request is cleaned (core.edge, core.text) before a view sees it.
    "haochaping.core.edge.EdgeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files keep their own caching): every other answer that
    # does not state its caching is ``no-store`` (personal data never sits in a cache).
    "haochaping.core.caching.NoStoreMiddleware",
    "haochaping.core.logs.SecurityEventMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified() (second factor)
    # The absolute session limit, TOTP where required, password age (accounts.sessionguard).
    "haochaping.accounts.sessionguard.StaffSessionMiddleware",
    # Production: the admin site and the API docs for staff, from HCP_ADMIN_NETWORKS.
    "haochaping.core.gate.OperatorGateMiddleware",
    "django_htmx.middleware.HtmxMiddleware",  # request.htmx (core.htmx)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # A POST of the API with an Idempotency-Key replays its first answer (core.idempotency).
    "haochaping.core.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "haochaping.urls"

# SQLite cannot declare the roll-ups' NULLs-not-distinct unique keys (stats.models);
# PostgreSQL enforces them, and the roll-up upkeep deletes a bucket before re-inserting it.
SILENCED_SYSTEM_CHECKS = ["models.W047"]
WSGI_APPLICATION = "haochaping.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "haochaping" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth", "haochaping.workbench.topbar.topbar",
                "django.contrib.messages.context_processors.messages",
                "haochaping.accounts.context_processors.may",
            ],
        },
    }
]

_default_db = f"sqlite:///{VAR_DIR / 'haochaping.sqlite3'}"
if "DATABASE_URL" not in os.environ:
    # The embedded default needs its directory on a fresh clone.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_db), conn_max_age=env_int("DB_CONN_MAX_AGE", 60)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN
    # so concurrent writers queue on busy_timeout instead of failing "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and HCP_DB_PREPARE:
    # Django turns psycopg's prepared statements off; core.fastsql asks for them
    # explicitly (prepare=True) on its few hot statements. The threshold keeps the
    # ORM's own queries from ever being prepared automatically.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 1_000_000

# The task engine (ADR 0005): django-tasks on its database backend, so a task commits with
# the write that queues it, on SQLite as on PostgreSQL. Queues: haochaping.core.engine.rules.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["urgent", "default", "sweeps", "reports"],
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "haochaping.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "haochaping.accounts.validators.CharacterClassValidator"},
    {"NAME": "haochaping.accounts.validators.PasswordHistoryValidator"},
]

# Staff sign-in policy (issue 17, accounts.authpolicy, docs/security.md "Logins"). The
# demo keeps one-step logins (no TOTP) and says so on its start page; production requires
# TOTP of the supervising office and the system administrators.
HCP_OTP_REQUIRED_ROLES = env_list("HCP_OTP_REQUIRED_ROLES",
                                  ["system_admin", "supervisor"] if HCP_ENV == "production"
                                  else [])
HCP_SESSION_ABSOLUTE_SECONDS = env_int("HCP_SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
HCP_PASSWORD_HISTORY = env_int("HCP_PASSWORD_HISTORY", 5)
HCP_PASSWORD_MAX_AGE_DAYS = env_int("HCP_PASSWORD_MAX_AGE_DAYS",
                                    90 if HCP_ENV == "production" else 0)
HCP_DORMANT_DAYS = env_int("HCP_DORMANT_DAYS", 90 if HCP_ENV == "production" else 0)
OTP_TOTP_ISSUER = "政务服务好差评"

# Lock-out (django-axes): 5 failures of one user name from one address lock that pair
# for 30 minutes.
AXES_FAILURE_LIMIT = env_int("HCP_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.5
# By user name and address together: failures from one address cannot lock a named
# colleague out everywhere (issue 17); the same name from another address still signs in.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("HCP_AXES_ENABLED", True)
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"  # Chinese lock-out page (HTTP 429)
# The IP axes records (attempts, lock-out signal) is the one every other place records.
AXES_CLIENT_IP_CALLABLE = "haochaping.core.clientip.client_ip_or_none"

# API rate limits count in this cache. locmem is per process (each gunicorn worker counts
# alone); set REDIS_URL (needs the `redis` package) to share the count between workers.
REDIS_URL = env_str("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
              "LOCATION": "haochaping"}
    )
}

SESSION_COOKIE_AGE = env_int("HCP_SESSION_SECONDS", 2 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True  # idle expiry: the clock restarts on every request
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HCP_ENV == "production"
CSRF_COOKIE_SECURE = HCP_ENV == "production"
X_FRAME_OPTIONS = "DENY"

# Transport (issue 17, docs/security.md): production answers over HTTPS only. Behind a
# proxy that terminates TLS, HCP_TLS_PROXY=1 trusts its X-Forwarded-Proto. The health
# check stays reachable over plain HTTP for the load balancer.
_PRODUCTION = HCP_ENV == "production"
SECURE_SSL_REDIRECT = env_bool("HCP_SSL_REDIRECT", _PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("HCP_HSTS_SECONDS", 31_536_000 if _PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _PRODUCTION
# Preloading into browsers is a decision of the domain's owner (and impossible for an
# intranet name): off unless asked for; its deploy warning is silenced below with reason.
SECURE_HSTS_PRELOAD = env_bool("HCP_HSTS_PRELOAD", False)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env_bool("HCP_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# Content-Security-Policy (django-csp, issue 17): core/headers.py.
CONTENT_SECURITY_POLICY = CSP

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

# One language for every visitor: the screens are written in Chinese, so a browser that
# prefers English must not get English dates and Django messages mixed into them.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = TIME_ZONE_NAME  # core.localtime: the one local zone
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end libraries (htmx, ECharts) come from npm at set-up: `make assets` copies them
# into haochaping/core/static/vendor/, which is not committed.
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"

# JSON lines (the default in production) and the security-event stream in its own
# rotated file (core.logs, docs/security.md "Logs").
HCP_LOG_DIR = env_str("HCP_LOG_DIR", "")
if HCP_LOG_DIR:
    Path(HCP_LOG_DIR).mkdir(parents=True, exist_ok=True)
# Error reports (the debug page, mailed reports) hide personal data and credentials
# (core.reporting, issue 17).
DEFAULT_EXCEPTION_REPORTER_FILTER = "haochaping.core.reporting.PersonalDataReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "haochaping.core.reporting.PersonalDataReporter"
LOGGING = logging_config(level=env_str("LOG_LEVEL", "WARNING"),
                         fmt=env_str("HCP_LOG_FORMAT", "json" if _PRODUCTION else "text"),
                         log_dir=HCP_LOG_DIR,
                         retention_days=env_int("HCP_LOG_RETENTION_DAYS", 180))
