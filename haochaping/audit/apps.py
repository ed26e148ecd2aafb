from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "haochaping.audit"
    label = "audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        # Access sits below audit and records its events through its hook table.
        from haochaping.accounts.hooks import register_audit_recorder
        from haochaping.audit import checks  # noqa: F401  (registers the key check)
        from haochaping.audit.services import audit_record

        register_audit_recorder(audit_record)
