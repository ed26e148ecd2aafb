from __future__ import annotations

from django.apps import AppConfig


class HandlingsConfig(AppConfig):
    name = "haochaping.handlings"
    label = "handlings"
    verbose_name = "办件与评价人"

    def ready(self) -> None:
        # The vault's retention purge asks each app above it which raters it still needs.
        from haochaping.handlings.privacy import rater_activity
        from haochaping.vault.retention import register_activity

        register_activity("handlings", rater_activity)
