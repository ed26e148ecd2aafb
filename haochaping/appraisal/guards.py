"""The database guards of the published reviews (core.records): a published review and
its rows are inserted once and never updated, deleted or emptied (issue 15: 发布后冻结).
Installed by migration ``appraisal 0002``; on SQLite every ``migrate`` re-installs them."""

from __future__ import annotations

from haochaping.appraisal.models import PublishedReview, PublishedRow
from haochaping.core.records import InsertOnly

GUARDS: tuple[InsertOnly, ...] = (PublishedReview.insert_only, PublishedRow.insert_only)
