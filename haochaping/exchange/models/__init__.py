"""Exchange tables: remotes and profiles here; the outbox, the reconciliation and the
inbound log beside them."""

from haochaping.exchange.models.inbound import (
    ForwardedItem,
    InboundNonce,
    InboundRating,
    ParkedRating,
    RejectedMessage,
)
from haochaping.exchange.models.outbox import OutboxRecord, RemoteBreaker, RemoteRoute
from haochaping.exchange.models.reconcile import ReconcileCheck, ReconcileRun
from haochaping.exchange.models.remotes import ProfileDoc, Remote

__all__ = ["ForwardedItem", "InboundNonce", "InboundRating", "OutboxRecord", "ParkedRating",
           "ProfileDoc", "ReconcileCheck", "ReconcileRun", "RejectedMessage", "Remote",
           "RemoteBreaker", "RemoteRoute"]
