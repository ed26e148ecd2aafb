from __future__ import annotations

from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    """数据汇聚与上报: the exchange with the provincial and national platforms (issue 13)."""

    name = "haochaping.exchange"
    verbose_name = "数据汇聚与上报"
