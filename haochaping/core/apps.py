from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "haochaping.core"
    label = "core"
    verbose_name = "系统"

    def ready(self) -> None:
        from haochaping.core import checks  # noqa: F401  (registers system checks)
        from haochaping.core.logs import connect_signals
        from haochaping.core.records import reinstall_after_migrate

        connect_signals()  # sign-in, sign-out, failures and lock-outs → security stream

        # Insert-only guards (core.records) survive SQLite's table re-creation.
        post_migrate.connect(reinstall_after_migrate, sender=self,
                             dispatch_uid="core.records.reinstall")
