"""The import-linter configuration (pyproject.toml) that `lint-imports` checks in
`make lint` and `scripts/test.sh`: every installed app has its place in the layers, and no
contract ignores an import (docs/architecture.md, "Layers")."""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.conf import settings

PYPROJECT = Path(__file__).resolve().parents[3] / "pyproject.toml"


def _config() -> dict:  # type: ignore[type-arg]
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]


def test_every_installed_app_is_in_the_layers() -> None:
    layers = next(c for c in _config()["contracts"] if c["id"] == "layers")
    apps = {a.removeprefix("haochaping.") for a in settings.INSTALLED_APPS
            if a.startswith("haochaping.")}
    assert apps <= set(layers["layers"])
    assert layers["layers"][-1] == "core"
    assert layers["exhaustive"] is True


def test_no_contract_ignores_an_import() -> None:
    assert all("ignore_imports" not in c for c in _config()["contracts"])


def test_core_is_forbidden_every_app() -> None:
    contracts = {c["id"]: c for c in _config()["contracts"]}
    layers = contracts["layers"]["layers"]
    forbidden = set(contracts["core-imports-no-app"]["forbidden_modules"])
    assert {f"haochaping.{app}" for app in layers if app != "core"} <= forbidden
