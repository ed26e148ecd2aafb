"""Business rules live in modules without database access (STYLE.md §1)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RULE_FILES = sorted(
    p for p in ROOT.rglob("*.py")
    if ("rules" in p.parts or p.stem == "rules") and "tests" not in p.parts
)


def test_rule_modules_exist() -> None:
    assert any(p.stem == "rules" for p in RULE_FILES)


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_rule_module_imports_no_orm(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.append(node.module)
    forbidden = [m for m in imported if m.startswith(("django.db", "django.apps"))
                 or m.endswith((".models", ".services", ".selectors"))]
    assert forbidden == [], f"{path} imports {forbidden}"
