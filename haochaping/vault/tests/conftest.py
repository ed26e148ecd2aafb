"""The vault's tests write raters through the intake, as production does: they share the
handlings tests' fixtures."""

from __future__ import annotations

from haochaping.handlings.tests.conftest import _clear_cache, intake

__all__ = ["_clear_cache", "intake"]
