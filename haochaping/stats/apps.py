from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _reinstall_triggers(using: str = "default", **_: Any) -> None:
    """SQLite re-creates a table to alter it, dropping its triggers: after any
    migration, put the dirty-bucket triggers back (idempotent; PostgreSQL keeps them)."""
    from django.db import connections

    from haochaping.stats import triggers

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    tables = set(connection.introspection.table_names())
    if {triggers.TABLE, *triggers.WATCHED} <= tables:  # not when migrated backwards
        triggers.install(connection)


class StatsConfig(AppConfig):
    name = "haochaping.stats"
    label = "stats"
    verbose_name = "统计"

    def ready(self) -> None:
        post_migrate.connect(_reinstall_triggers, sender=self,
                             dispatch_uid="stats.reinstall_triggers")
