from __future__ import annotations

from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "haochaping.evaluations"
    label = "evaluations"
    verbose_name = "评价"
