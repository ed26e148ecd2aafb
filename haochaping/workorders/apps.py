from __future__ import annotations

from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "haochaping.workorders"
    verbose_name = "差评工单"
