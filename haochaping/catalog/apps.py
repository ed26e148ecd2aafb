from __future__ import annotations

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "haochaping.catalog"
    label = "catalog"
    verbose_name = "服务目录与政策"
