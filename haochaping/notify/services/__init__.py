"""Services of the notify layer (one module per concern, re-exported here)."""

from __future__ import annotations

from haochaping.notify.services.delivery import DeliveryReport, deliver_due
from haochaping.notify.services.inbound import inbound_sms_receive
from haochaping.notify.services.outbox import outbox_enqueue, outbox_retry, template_update

__all__ = ["DeliveryReport", "deliver_due", "inbound_sms_receive", "outbox_enqueue",
           "outbox_retry", "template_update"]
