"""Anchoring the audit chain heads outside the database, and checking the stored anchors
(docs/audit.md "Anchors").

The job ``audit.anchor`` (core.jobs) appends a signed anchor of every chain's head to the
store each period the log has grown; ``haochaping audit anchor`` does the same at once;
``haochaping audit verify`` checks the stored anchors and the database against the latest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from haochaping.audit import anchor_rules
from haochaping.audit.anchor_rules import AnchorDoc
from haochaping.audit.anchor_store import AnchorStore, anchor_store
from haochaping.audit.keys import audit_keys
from haochaping.audit.rules import ChainProblem
from haochaping.audit.selectors import audit_anchors


def chain_heads() -> dict[int, tuple[int, str]]:
    """chain → (seq, hash) of its last row, for every chain that has rows."""
    return {anchor.chain: (anchor.seq, anchor.hash) for anchor in audit_anchors()}


@dataclass(frozen=True)
class Written:
    name: str
    location: str
    doc: AnchorDoc


def audit_anchor_write(*, now: datetime, store: AnchorStore | None = None) -> Written | None:
    """Append an anchor of the current heads, unless they have not moved since the latest
    anchor (None) or the log is empty. Raises ValueError when the latest stored anchor is
    unreadable (a new one could not link to it: ``audit verify`` says more)."""
    store = store or anchor_store()
    heads = chain_heads()
    if not heads:
        return None
    latest = store.latest()
    planned = anchor_rules.next_anchor(audit_keys(), latest[1] if latest else None, heads,
                                       now.isoformat())
    if planned is None:
        return None
    number, data = planned
    name = store.append(number, data)
    return Written(name=name, location=store.location, doc=anchor_rules.anchor_decode(data))


@dataclass
class StoreCheck:
    location: str
    count: int = 0
    latest: AnchorDoc | None = None
    problems: list[ChainProblem] = field(default_factory=list)

    def expectations(self) -> list[tuple[int, int, str]]:
        """(chain, seq, hash) the database must still hold: the latest anchor's heads."""
        if self.latest is None:
            return []
        return [(chain, seq, digest) for chain, (seq, digest) in sorted(self.latest.heads.items())]


def anchor_store_check(store: AnchorStore | None = None, upto: int | None = None
                       ) -> StoreCheck:
    """Read every stored anchor (up to number ``upto``: a restored backup is checked
    against the anchor taken before it) and check signatures and links (anchor_rules)."""
    store = store or anchor_store()
    latest, count, problems = anchor_rules.check_anchor_files(store.all(), audit_keys(), upto)
    return StoreCheck(location=store.location, count=count, latest=latest, problems=problems)
