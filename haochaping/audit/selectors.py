"""Reads of the audit log: chain verification, the anchor, one object's history."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet

from haochaping.accounts import rules as access
from haochaping.accounts.scoping import Actor, require
from haochaping.audit.keys import audit_keys
from haochaping.audit.models import AuditEvent
from haochaping.audit.rules import CHAINS, ChainProblem, anchor_problems, verify_chains
from haochaping.audit.services import audit_record, event_content


@dataclass
class ChainReport:
    checked: int = 0
    last_seq: int | None = None  # chain 0's head (the only chain of a log before chains)
    last_hash: str | None = None
    heads: dict[int, tuple[int, str]] = field(default_factory=dict)  # chain → (seq, hash)
    unkeyed: int = 0  # rows written before the chain was keyed (algorithm v1)
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: str
    chain: int = 0


def verify_audit_chain(batch: int = 5000, expect_seq: int | None = None,
                       expect_hash: str | None = None,
                       expect_chains: Mapping[int, tuple[int, str]] | None = None,
                       anchors: Iterable[tuple[int, int, str]] = ()) -> ChainReport:
    """Recompute every chain in ``(chain, seq)`` order, ``batch`` rows per fetch, with
    the audit keys of the environment (keyed rows) or plain SHA-256 (rows written before).

    Rows stream through an iterator (a server-side cursor on PostgreSQL), so memory stays
    constant however long the log is. With anchors kept outside the database —
    ``expect_seq``/``expect_hash`` for chain 0, ``expect_chains`` {chain: (seq, hash)},
    ``anchors`` [(chain, seq, hash)] (the anchor store's latest) — it also detects rows
    removed from the end of those chains and a rewritten log.
    """
    keys = audit_keys()
    report = ChainReport()
    expected = [(chain, seq, digest) for chain, (seq, digest) in (expect_chains or {}).items()]
    if expect_seq is not None and expect_hash is not None:
        expected.append((0, expect_seq, expect_hash))
    expected += anchors
    wanted = {(chain, seq) for chain, seq, _ in expected}
    at_anchor: dict[tuple[int, int], str] = {}

    def rows() -> Iterator[tuple[int, int, str, str, Mapping[str, Any]]]:
        events = AuditEvent.objects.order_by("chain", "seq").iterator(chunk_size=batch)
        for event in events:
            report.checked += 1
            report.heads[event.chain] = (event.seq, event.hash)
            report.unkeyed += not event.key_id
            if (event.chain, event.seq) in wanted:
                at_anchor[event.chain, event.seq] = event.hash
            yield event.chain, event.seq, event.prev_hash, event.hash, event_content(event)

    report.problems = verify_chains(rows(), keys)
    if 0 in report.heads:
        report.last_seq, report.last_hash = report.heads[0]
    for chain, seq, digest in sorted(set(expected)):
        head = report.heads.get(chain)
        report.problems += [replace(p, chain=chain) for p in anchor_problems(
            seq, digest, at_anchor.get((chain, seq)), head[0] if head else None)]
    return report


def audit_anchors() -> list[Anchor]:
    """The head of every chain, for an operator to record outside the database."""
    anchors = []
    for chain in range(CHAINS):  # one index look-up per chain (audit_chain_seq)
        head = AuditEvent.objects.filter(chain=chain).order_by("-seq").first()
        if head is not None:
            anchors.append(Anchor(seq=head.seq, hash=head.hash, at=head.at.isoformat(),
                                  chain=chain))
    return anchors


def audit_anchor() -> Anchor | None:
    """The head of chain 0 (the whole log before chains existed)."""
    head = AuditEvent.objects.filter(chain=0).order_by("-seq").first()
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
    deployment-wide readers (the audit administrator) only. The read is audited.
    """
    object_id = str(object_id)
    require(actor, access.AUDIT_LOG, access.READ, _object_org_path(object_type, object_id))
    # Reads of the audit log are themselves recorded (等保 audit of the auditors).
    audit_record(action="audit.read", actor=actor.user, actor_label=actor.label,
                 after={"object_type": object_type, "object_id": object_id})
    return AuditEvent.objects.filter(object_type=object_type, object_id=object_id
                                     ).order_by("at", "id")
