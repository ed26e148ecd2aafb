"""Tasks of the vault."""

from __future__ import annotations

from datetime import datetime

from haochaping.core.engine import rules, task
from haochaping.vault.retention import purge_all


@task(queue=rules.REPORTS, lock="vault.retention_purge")
def retention_purge(now: str) -> str:
    """Purge personal data past its retention period (vault.retention): raters, SMS
    addresses and replies, complaint contacts; each batch audited with its count."""
    outcomes = purge_all(now=datetime.fromisoformat(now))
    return ", ".join(f"{o.model} {o.rows}" for o in outcomes)
