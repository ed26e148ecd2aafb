"""Business rules live in modules without database, settings or cache access (STYLE.md §1).

The modules are found, never listed: every ``rules.py``, every ``*_rules.py``, every module
of a ``rules/`` package, and every module whose docstring says it is pure (the rater
vault's ``crypto.py`` and ``identity.py``, the role table...). A module moved to another
app is still found. The check covers every import of the rules module (lazy ones too) and
follows the project's own modules it reaches through what importing them runs (their
module-level imports and their packages' ``__init__.py``): a rules module that imports a
helper which imports ``settings`` fails too, with the chain that leads there.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # the haochaping package
PACKAGE = ROOT.name
# What a rule may not reach: the ORM, the app registry, settings and the cache. Values
# such as a key, a threshold or a time zone are passed in by the service that calls it.
FORBIDDEN = ("django.db", "django.apps", "django.conf", "django.core.cache")
# Layers above rules in the same app (models, services, selectors, tasks).
FORBIDDEN_SUFFIXES = (".models", ".services", ".selectors", ".tasks")
# A module docstring that claims purity ("Pure Python, no ORM", "Pure: keys are passed in").
PURE_CLAIM = re.compile(r"\bPure\b")


def _sources() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py")
                  if "tests" not in p.relative_to(ROOT).parts and "migrations" not in p.parts)


def _claims_purity(path: Path) -> bool:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return bool(PURE_CLAIM.search(doc))


def _is_rules_module(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return path.stem == "rules" or path.stem.endswith("_rules") or "rules" in parts[:-1]


RULE_FILES = [p for p in _sources() if _is_rules_module(p) or _claims_purity(p)]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _path_of(module: str) -> Path | None:
    base = ROOT.parent.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _nodes(tree: ast.AST, lazy: bool) -> list[ast.AST]:
    """The nodes of ``tree``; without ``lazy``, only those that run when the module is
    imported (not function bodies, not ``if TYPE_CHECKING:`` blocks)."""
    if lazy:
        return list(ast.walk(tree))
    found: list[ast.AST] = []
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        found.append(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            todo += node.orelse
            continue
        todo += ast.iter_child_nodes(node)
    return found


@cache
def _imports(path: Path, lazy: bool) -> tuple[str, ...]:
    """The modules ``path`` imports — with ``lazy``, at any depth of the file (function
    bodies too) — with relative imports resolved; ``from a import b`` yields both ``a``
    and ``a.b`` (b may be a module)."""
    package = _module_name(path) if path.name == "__init__.py" else \
        _module_name(path).rpartition(".")[0]
    found: list[str] = []
    for node in _nodes(ast.parse(path.read_text(encoding="utf-8")), lazy):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.append(base)
            found += [f"{base}.{alias.name}" for alias in node.names]
    return tuple(found)


def _is_forbidden(module: str) -> bool:
    return (any(module == f or module.startswith(f + ".") for f in FORBIDDEN)
            or (module.startswith(PACKAGE + ".") and module.endswith(FORBIDDEN_SUFFIXES)))


def _violations(path: Path) -> list[str]:
    """Forbidden imports reachable from ``path`` through the project's own modules, each
    with the chain of modules that leads to it: every import of ``path`` itself (in a
    function too), and what importing each project module it reaches runs — the
    module-level imports of that module and of its parent packages' ``__init__.py``."""
    seen: set[Path] = set()
    problems: list[str] = []
    stack: list[tuple[Path, tuple[str, ...]]] = [(path, (_module_name(path),))]
    while stack:
        current, chain = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        for module in _imports(current, lazy=current == path):
            if _is_forbidden(module):
                problems.append(" -> ".join((*chain, module)))
            elif module.startswith(PACKAGE + "."):
                # Importing a.b.c runs a/__init__.py and a/b/__init__.py first.
                parts = module.split(".")
                for depth in range(2, len(parts) + 1):
                    name = ".".join(parts[:depth])
                    if target := _path_of(name):
                        stack.append((target, (*chain, name)))
    return sorted(set(problems))


def test_rule_modules_are_found() -> None:
    names = {p.name for p in RULE_FILES}
    assert "rules.py" in names
    assert any(p.stem.endswith("_rules") for p in RULE_FILES)
    assert any("rules" in p.relative_to(ROOT).parts[:-1] for p in RULE_FILES)
    assert {"crypto.py", "identity.py"} <= names  # the rater vault claims purity


def test_forbidden_modules() -> None:
    assert _is_forbidden("django.conf")
    assert _is_forbidden("django.core.cache.backends.base")
    assert _is_forbidden("django.db.models.functions")
    assert _is_forbidden(f"{PACKAGE}.notify.models")
    assert not _is_forbidden("django.utils.timezone")
    assert not _is_forbidden("django.conference")


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_rule_module_reaches_no_orm_settings_or_cache(path: Path) -> None:
    assert _violations(path) == [], f"{path.relative_to(ROOT)} is not pure"
