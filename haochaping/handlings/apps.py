from __future__ import annotations

from django.apps import AppConfig


class HandlingsConfig(AppConfig):
    name = "haochaping.handlings"
    label = "handlings"
    verbose_name = "办件与评价人"
