from __future__ import annotations

from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    """核查抽查 (issue 15): the office's stratified, reproducible spot checks of ratings
    and closed work orders, their findings and consequences, figures and monthly 通报."""

    name = "haochaping.supervision"
    verbose_name = "监督核查"
