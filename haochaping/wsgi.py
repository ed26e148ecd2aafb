"""WSGI entry point (gunicorn sync workers: `gunicorn haochaping.wsgi`)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haochaping.settings")
application = get_wsgi_application()

from haochaping.core.checks import assert_production_ready  # noqa: E402
from haochaping.core.gctune import tune_gc  # noqa: E402

assert_production_ready()
tune_gc()
