"""Catalog import and export (XLSX / CSV); the format is in docs/import-format.md."""
