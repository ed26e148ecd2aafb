from __future__ import annotations

from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "haochaping.disclosure"
    verbose_name = "公示专栏"
