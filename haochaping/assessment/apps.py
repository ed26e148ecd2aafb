from __future__ import annotations

from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    """Self-assessment and third-party assessment (issue 15): the office's forms filled in by
    each org with evidence and scored, and third-party assessors' scored visits."""

    name = "haochaping.assessment"
    verbose_name = "自评与第三方评估"
