"""Exchange tables: remotes and profiles here; the outbox, the reconciliation and the
inbound log beside them."""

from haochaping.exchange.models.outbox import OutboxRecord, RemoteBreaker, RemoteRoute
from haochaping.exchange.models.reconcile import ReconcileCheck, ReconcileRun
from haochaping.exchange.models.remotes import ProfileDoc, Remote

__all__ = ["OutboxRecord", "ProfileDoc", "ReconcileCheck", "ReconcileRun", "Remote",
           "RemoteBreaker", "RemoteRoute"]
