from __future__ import annotations

from django.apps import AppConfig


class VaultConfig(AppConfig):
    """The rater vault: below notify and handlings in the layers, both of which seal or
    read rater identity through it."""

    name = "haochaping.vault"
    label = "vault"
    verbose_name = "评价人信息保险库"
