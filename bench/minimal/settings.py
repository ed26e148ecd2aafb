from __future__ import annotations

import os

import dj_database_url

SECRET_KEY = "bench-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["bench.minimal"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.minimal.urls"
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=600)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
