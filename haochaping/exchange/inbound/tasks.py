"""The downward exchange's periodic job (``core.jobs``: ``exchange.inbound_upkeep``)."""

from __future__ import annotations

from datetime import datetime

from haochaping.core.engine import rules, task


@task(queue=rules.SWEEPS, lock="exchange.inbound_upkeep")
def inbound_upkeep(now: str) -> str:
    """Store the parked ratings whose handling has arrived, and forget the nonces no
    replay could still use. Each parked rating is claimed on its own, so a second run
    beside this one would only find nothing to do."""
    from haochaping.exchange.inbound.ratings import parked_match
    from haochaping.exchange.inbound.receive import nonces_forget

    moment = datetime.fromisoformat(now)
    matched, refused = parked_match(now=moment)
    forgotten = nonces_forget(moment)
    return f"parked ratings: {matched} matched, {refused} refused; {forgotten} nonces forgotten"
