"""Retention: the purge of personal data past its period (docs/privacy.md, issue 17).

The vault owns two hook tables that the apps above it fill in their ``AppConfig.ready``
(docs/architecture.md, "Hook tables"):

- ``activity``: name -> ``source(ids, cutoff)``, the raters among ``ids`` that the app
  still needs: touched at or after ``cutoff`` (a handling, rating, work order, complaint,
  message) or with business still open. A rater none of them names is purged.
  The purge fails closed: it refuses to run unless every app in
  :data:`ACTIVITY_SOURCES` has registered, since a missing source would erase raters
  that app still needs.
- ``purgers``: inventory model label -> ``(policy key, purger)``. A purger erases, in
  committed batches of ``batch_size``, the values its app holds past ``cutoff``; it only
  picks rows not purged yet (idempotent, resumable after a kill), records each batch as
  one audit event with its count (:func:`audit_batch`, never a value) and returns how
  many rows it purged, or with ``dry_run`` how many it would purge.

Statistics stay intact: ratings are insert-only and never touched; roll-ups count rows,
not identities.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ImproperlyConfigured

from haochaping.audit.services import audit_record

ActivitySource = Callable[[list[int], datetime], set[int]]
Purger = Callable[[datetime, int, bool], int]

# Every app that holds rows pointing at a rater (the purge refuses to run without them).
ACTIVITY_SOURCES = frozenset({"handlings", "evaluations", "workorders", "complaints",
                              "notify", "exchange"})
ACTOR = "system:privacy"
BATCH_SIZE = 500

activity: dict[str, ActivitySource] = {}
purgers: dict[str, tuple[str, Purger]] = {}


def register_activity(name: str, source: ActivitySource) -> None:
    activity[name] = source


def register_purger(model: str, policy_key: str, purger: Purger) -> None:
    purgers[model] = (policy_key, purger)


def active_raters(ids: list[int], cutoff: datetime) -> set[int]:
    """The raters among ``ids`` some app still needs (fails closed, see module doc)."""
    missing = ACTIVITY_SOURCES - set(activity)
    if missing:
        raise ImproperlyConfigured(f"retention: activity sources not registered: {sorted(missing)}")
    found: set[int] = set()
    for source in activity.values():
        found |= source(ids, cutoff)
    return found


def audit_batch(model: str, policy_key: str, cutoff: datetime, rows: int) -> None:
    """One audit event per purged batch: what, under which period, how many; no values.
    Call inside the batch's transaction."""
    audit_record(action="privacy.purge", actor_label=ACTOR, object_type=model,
                 after={"policy": policy_key, "cutoff": cutoff.isoformat(), "rows": rows})


@dataclass(frozen=True)
class Outcome:
    model: str
    policy_key: str
    days: int
    cutoff: datetime
    rows: int


def cutoff_of(policy_key: str, now: datetime) -> tuple[int, datetime]:
    """The period (natural days) of ``policy_key`` in the deployment-wide policy, and the
    moment before which that data is due."""
    from haochaping.catalog.selectors.policy import effective_policy

    days = getattr(effective_policy(None), policy_key).amount
    return days, now - timedelta(days=days)


def purge_all(*, now: datetime, dry_run: bool = False,
              batch_size: int = BATCH_SIZE) -> list[Outcome]:
    """Run every registered purger (the job ``vault.retention_purge`` and
    ``haochaping privacy purge``); ``dry_run`` counts without writing."""
    if ACTIVITY_SOURCES - set(activity):
        active_raters([], now)  # raises: refuse before purging anything
    outcomes = []
    for model, (policy_key, purger) in sorted(purgers.items()):
        days, cutoff = cutoff_of(policy_key, now)
        outcomes.append(Outcome(model, policy_key, days, cutoff,
                                purger(cutoff, batch_size, dry_run)))
    return outcomes
