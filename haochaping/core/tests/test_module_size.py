"""No module passes 400 lines (STYLE.md §1: split a file into a package before it does).

Tests and migrations are not counted. No exception is listed.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the haochaping package
MAX_LINES = 400


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def _modules() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py")
                  if "tests" not in p.relative_to(ROOT).parts
                  and "migrations" not in p.relative_to(ROOT).parts)


def test_no_module_over_the_limit() -> None:
    over = {str(p.relative_to(ROOT)): _lines(p) for p in _modules() if _lines(p) > MAX_LINES}
    assert over == {}, f"split these modules below {MAX_LINES} lines: {over}"


def test_the_walk_sees_the_modules() -> None:
    names = {str(p.relative_to(ROOT)) for p in _modules()}
    assert "evaluations/services.py" in names
    assert not any("/tests/" in n or "/migrations/" in n for n in names)
