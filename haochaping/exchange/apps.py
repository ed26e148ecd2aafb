from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _reinstall_triggers(using: str = "default", **_: Any) -> None:
    """SQLite re-creates a table to alter it, dropping its triggers (workorders 0006 and
    0007 rebuild the work-order table after exchange 0002 installed the result
    triggers): after any migration, put the outbox triggers back (idempotent)."""
    from django.db import connections

    from haochaping.exchange import triggers

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    tables = set(connection.introspection.table_names())
    if {"exchange_outboxrecord", "workorders_workorder", "evaluations_evaluation",
            "handlings_handling"} <= tables:  # not when migrated backwards
        triggers.install(connection)


class ExchangeConfig(AppConfig):
    """数据汇聚与上报: the exchange with the provincial and national platforms (issue 13)."""

    name = "haochaping.exchange"
    verbose_name = "数据汇聚与上报"

    def ready(self) -> None:
        from haochaping.exchange import checks  # noqa: F401  (registers the demo-key check)

        post_migrate.connect(_reinstall_triggers, sender=self,
                             dispatch_uid="exchange.reinstall_triggers")
        # A forwarded item's work order closed: record its outcome for the remote, in the
        # closing transaction, through the work-order engine's hook table.
        from haochaping.complaints import hooks as complaint_hooks
        from haochaping.exchange.inbound.forwarded import (
            forwarded_on_request_closed,
            forwarded_on_submission_refused,
        )
        from haochaping.workorders import hooks

        hooks.request_closed.append(forwarded_on_request_closed)
        # The office refused a forwarded item after triage: answer the refusal back.
        complaint_hooks.submission_refused.append(forwarded_on_submission_refused)
        # The vault's retention purge keeps the submitters of unanswered forwarded items.
        from haochaping.exchange.inbound.privacy import rater_activity
        from haochaping.vault.retention import register_activity

        register_activity("exchange", rater_activity)
