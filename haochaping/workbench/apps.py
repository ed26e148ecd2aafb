from __future__ import annotations

from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    """The staff home page: it shows figures of apps below it, so it sits near the top of
    the layers (docs/architecture.md) instead of in core, which imports no app."""

    name = "haochaping.workbench"
    label = "workbench"
    verbose_name = "工作台"
