"""What the fake remote received: one entry per (kind, idempotency key), however often it
came, the nonces it has seen, and the count answers of the reconciliation. Not thread
safe by itself: the app holds its lock around every call.

The day a record counts on is the Shanghai day of the change it carries, as our outbox
files it: a rating's time (its invalidation's for an ``invalidated`` key), a handling's
completion or else acceptance, a result's close, a complaint's reply or else arrival.

With a journal (a JSON-lines file) every first receipt is appended as one line, and a
fake remote started on an existing journal knows what it holds (a restarted remote still
de-duplicates).
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from haochaping.core.localtime import local_day
from haochaping.exchange.rules.canonical import (
    ComplaintRecord,
    Event,
    HandlingRecord,
    Kind,
    RatingRecord,
    Record,
)
from haochaping.exchange.rules.codec import ids_digest


def record_day(key: str, record: Record) -> date:
    moment: datetime
    if isinstance(record, RatingRecord):
        invalidated = f":{Event.INVALIDATED.value}:" in key
        moment = record.invalidated_at if invalidated and record.invalidated_at \
            else record.assessed_at
    elif isinstance(record, HandlingRecord):
        moment = record.completed_at or record.accepted_at
    elif isinstance(record, ComplaintRecord):
        moment = record.replied_at or record.received_at
    else:
        moment = record.closed_at
    return local_day(moment)


def record_json(record: Record) -> dict[str, Any]:
    """A record as JSON (times in ISO 8601, UTC)."""
    def value(item: Any) -> Any:
        if isinstance(item, datetime):
            return item.astimezone(UTC).isoformat()
        if isinstance(item, list | tuple):
            return [value(i) for i in item]
        if isinstance(item, dict):
            return {k: value(v) for k, v in item.items()}
        return item
    data: dict[str, Any] = value(dataclasses.asdict(record))
    return data


@dataclass
class Entry:
    org_code: str
    day: date
    first_at: float  # epoch seconds of the first receipt (its acknowledgement)
    times: int  # receipts, the first included
    record: dict[str, Any] | None  # the record as JSON, unless only keys are kept


class Store:
    def __init__(self, *, keep_records: bool = True, journal: Path | None = None) -> None:
        self.keep_records = keep_records
        self.entries: dict[str, dict[str, Entry]] = {k.value: {} for k in Kind}
        self.nonces: set[str] = set()
        self.refusals: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()  # by endpoint: kind, "count"
        self.sent_down: list[dict[str, Any]] = []
        self._journal: IO[str] | None = None
        if journal is not None:
            self._load(journal)
            self._journal = journal.open("a", encoding="utf-8")

    def _load(self, journal: Path) -> None:
        if not journal.exists():
            return
        with journal.open(encoding="utf-8") as lines:
            for line in lines:
                row = json.loads(line)
                if row.get("forgotten"):
                    self.entries[row["kind"]].pop(row["key"], None)
                    continue
                self.entries[row["kind"]][row["key"]] = Entry(
                    org_code=row["org_code"], day=date.fromisoformat(row["day"]),
                    first_at=row["first_at"], times=row.get("times", 1),
                    record=row.get("record") if self.keep_records else None)

    def nonce_seen(self, nonce: str) -> bool:
        """True when ``nonce`` came before (a replay); remembers it otherwise."""
        if nonce in self.nonces:
            return True
        self.nonces.add(nonce)
        return False

    def accept(self, kind: Kind, key: str, record: Record, now: float) -> bool:
        """Store a received record; False when its key was already held (kept as first
        received, the receipt counted)."""
        held = self.entries[kind.value].get(key)
        if held is not None:
            held.times += 1
            return False
        entry = Entry(org_code=record.org_code, day=record_day(key, record), first_at=now,
                      times=1, record=record_json(record) if self.keep_records else None)
        self.entries[kind.value][key] = entry
        if self._journal is not None:
            row = {"kind": kind.value, "key": key, "org_code": entry.org_code,
                   "day": entry.day.isoformat(), "first_at": now,
                   "record": entry.record or record_json(record)}
            self._journal.write(json.dumps(row, ensure_ascii=False) + "\n")
            self._journal.flush()
        return True

    def forget(self, kind: Kind, keys: list[str]) -> int:
        """The remote loses these records (a planted difference for reconciliation);
        how many it held."""
        held = self.entries[kind.value]
        gone = [key for key in keys if held.pop(key, None) is not None]
        if self._journal is not None:
            for key in gone:
                self._journal.write(json.dumps({"kind": kind.value, "key": key,
                                                "forgotten": True}) + "\n")
            self._journal.flush()
        return len(gone)

    def count(self, kind: Kind, day: date, org_code: str) -> tuple[int, str]:
        """对账: the keys held of ``kind`` on ``day`` for ``org_code`` ("" = every org)."""
        keys = [key for key, e in self.entries[kind.value].items()
                if e.day == day and (not org_code or e.org_code == org_code)]
        return len(keys), ids_digest(keys)

    def clear(self) -> None:
        for held in self.entries.values():
            held.clear()
        self.nonces.clear()
        self.refusals.clear()
        self.requests.clear()
        self.sent_down.clear()

    def summary(self) -> dict[str, Any]:
        by_kind = {}
        for kind, held in self.entries.items():
            receipts = sum(e.times for e in held.values())
            by_kind[kind] = {"records": len(held), "receipts": receipts,
                             "repeated": sum(1 for e in held.values() if e.times > 1)}
        return {"kinds": by_kind, "refusals": dict(self.refusals),
                "requests": dict(self.requests), "nonces": len(self.nonces),
                "sent_down": len(self.sent_down)}

    def listing(self, kind: Kind, offset: int, limit: int,
                fields: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """Held records of ``kind`` in the order they first came; ``fields`` narrows each
        row to those of key, org_code, day, first_at, times, record."""
        rows = []
        for key, e in list(self.entries[kind.value].items())[offset:offset + limit]:
            row = {"key": key, "org_code": e.org_code, "day": e.day.isoformat(),
                   "first_at": e.first_at, "times": e.times, "record": e.record}
            rows.append({k: v for k, v in row.items() if k in fields} if fields else row)
        return rows

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None
