"""Ratings of legacy satisfaction systems taken into the record (docs/import-format.md)."""
