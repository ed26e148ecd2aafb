from __future__ import annotations

from django.apps import AppConfig


class VaultConfig(AppConfig):
    """The rater vault: below notify and handlings in the layers, both of which seal or
    read rater identity through it."""

    name = "haochaping.vault"
    label = "vault"
    verbose_name = "评价人信息保险库"

    def ready(self) -> None:
        from haochaping.vault import purge
        from haochaping.vault.retention import register_purger

        register_purger(purge.MODEL, purge.POLICY_KEY, purge.raters_purge)
