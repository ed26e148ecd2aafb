from __future__ import annotations

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "haochaping.catalog"
    label = "catalog"
    verbose_name = "服务目录与政策"

    def ready(self) -> None:
        from haochaping.catalog import signals  # noqa: F401  (clears configuration memos)
