"""Admin of the exchange."""

from haochaping.exchange.admin_outbox import OutboxRecordAdmin

__all__ = ["OutboxRecordAdmin"]
