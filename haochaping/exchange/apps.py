from __future__ import annotations

from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    """数据汇聚与上报: the exchange with the provincial and national platforms (issue 13)."""

    name = "haochaping.exchange"
    verbose_name = "数据汇聚与上报"

    def ready(self) -> None:
        # A forwarded item's work order closed: record its outcome for the remote, in the
        # closing transaction, through the work-order engine's hook table.
        from haochaping.exchange.inbound.forwarded import forwarded_on_request_closed
        from haochaping.workorders import hooks

        hooks.request_closed.append(forwarded_on_request_closed)
