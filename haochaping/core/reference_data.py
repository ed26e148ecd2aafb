"""Reference rows that data migrations load (national standards, message templates, the
acceptance filter's default word lists).

Migrations load them once per database. A transactional test or a live-server browser test
ends by flushing every table, so the test suite reloads them through the same loader
functions afterwards (conftest.py); an operator can run them again with
``haochaping manage ensure_reference_data`` after restoring a partial dump.
"""

from __future__ import annotations

import importlib

from django.apps import apps

LOADERS = (
    ("haochaping.catalog.migrations.0002_national_standards", "load_standards"),
    ("haochaping.notify.migrations.0003_seed_message_templates", "seed"),
    ("haochaping.notify.migrations.0005_workorder_sms_templates", "seed"),
    # issue 16: the seeded texts shortened to fit one SMS where they can
    ("haochaping.notify.migrations.0007_short_sms_templates", "shorten"),
    ("haochaping.complaints.migrations.0002_default_filter_words", "seed"),
)


def ensure_reference_data() -> None:
    """Idempotent: each loader adds only what is missing (get_or_create by code)."""
    for module_name, func_name in LOADERS:
        getattr(importlib.import_module(module_name), func_name)(apps, None)
