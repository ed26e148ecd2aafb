from __future__ import annotations

from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    """咨询投诉建议与综合点评 (issue 14, seed 004): intake, acceptance filter, handling as
    work orders, tracking, spot-check call-backs and Open311."""

    name = "haochaping.complaints"
    verbose_name = "咨询投诉建议"
