"""Tasks of the audit app (periodic entries in haochaping.core.jobs)."""

from __future__ import annotations

from datetime import datetime

from haochaping.core.engine import rules, task


@task(queue=rules.DEFAULT, lock="audit.anchor")
def anchor(now: str) -> str:
    """Anchor the chain heads outside the database (audit.anchoring): the interval of
    this job is how long a truncated tail can go unseen (docs/audit.md)."""
    from haochaping.audit.anchoring import audit_anchor_write

    written = audit_anchor_write(now=datetime.fromisoformat(now))
    if written is None:
        return "unchanged"
    return f"{written.name}: {len(written.doc.heads)} chains"
