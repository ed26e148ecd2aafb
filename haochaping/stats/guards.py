"""The database guard of the published ranking snapshots (core.records, issue 17): a
snapshot is inserted once and never updated, deleted or emptied (seed 002 §二(四)). The
UPDATE refusal of migration 0007 stays; migration ``stats 0009`` adds this guard."""

from __future__ import annotations

from haochaping.core.records import InsertOnly

SNAPSHOT_GUARD = InsertOnly(table="stats_rankingsnapshot")
