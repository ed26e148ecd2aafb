"""Reads of the audit log: chain verification, the anchor, one object's history."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, require
from haochaping.audit.models import AuditEvent
from haochaping.audit.rules import ChainProblem, anchor_problems, verify_chain
from haochaping.audit.services import event_content


@dataclass
class ChainReport:
    checked: int = 0
    last_seq: int | None = None
    last_hash: str | None = None
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: str


def verify_audit_chain(batch: int = 5000, expect_seq: int | None = None,
                       expect_hash: str | None = None) -> ChainReport:
    """Recompute the whole chain in ``seq`` order, ``batch`` rows per fetch.

    Rows stream through an iterator (a server-side cursor on PostgreSQL), so memory stays
    constant however long the log is. With ``expect_seq``/``expect_hash`` (an anchor kept
    outside the database) it also detects rows removed from the end.
    """
    report = ChainReport()
    hash_at_anchor: str | None = None

    def rows() -> Iterator[tuple[int, str, str, Mapping[str, Any]]]:
        nonlocal hash_at_anchor
        events = AuditEvent.objects.order_by("seq").iterator(chunk_size=batch)
        for event in events:
            report.checked += 1
            report.last_seq, report.last_hash = event.seq, event.hash
            if event.seq == expect_seq:
                hash_at_anchor = event.hash
            yield event.seq, event.prev_hash, event.hash, event_content(event)

    report.problems = verify_chain(rows())
    if expect_seq is not None and expect_hash is not None:
        report.problems += anchor_problems(expect_seq, expect_hash, hash_at_anchor,
                                           report.last_seq)
    return report


def audit_anchor() -> Anchor | None:
    """The head of the chain, for an operator to record outside the database."""
    head = AuditEvent.objects.order_by("-seq").first()
    if head is None:
        return None
    return Anchor(seq=head.seq, hash=head.hash, at=head.at.isoformat())


def _object_org_path(object_type: str, object_id: str) -> str | None:
    """Org path of the audited object (for scoping), None when it has no org or is gone."""
    try:
        model = apps.get_model(object_type)
        obj = model._default_manager.get(pk=object_id)
    except (LookupError, ValueError, ObjectDoesNotExist):
        return None
    if hasattr(obj, "path") and model._meta.label_lower == "catalog.org":
        return str(obj.path)
    org = getattr(obj, "org", None)
    return str(org.path) if org is not None else None


def object_history(actor: Actor, object_type: str, object_id: str | int
                   ) -> QuerySet[AuditEvent]:
    """Every event about one object, oldest first.

    Readers need the audit-log permission and the object's org inside their subtree;
    events of objects without an org (deployment settings, deleted rows) are for the
    system admin only.
    """
    object_id = str(object_id)
    require(actor, access.AUDIT_LOG, access.READ, _object_org_path(object_type, object_id))
    return AuditEvent.objects.filter(object_type=object_type, object_id=object_id
                                     ).order_by("seq")
