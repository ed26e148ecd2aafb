"""The import-linter configuration (pyproject.toml) that `lint-imports` checks in
`make lint` and `scripts/test.sh`: every installed app has its place in the layers, no
contract ignores an import (docs/architecture.md, "Layers"), and the project's contract
types (scripts/importlinter_contracts.py) leave out test code only."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import grimp
from django.apps import apps as django_apps

from scripts.importlinter_contracts import NoTestCodeInProductionContract, ProductionLayersContract

PYPROJECT = Path(__file__).resolve().parents[3] / "pyproject.toml"


def _config() -> dict:  # type: ignore[type-arg]
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]


def test_every_installed_app_is_in_the_layers() -> None:
    layers = next(c for c in _config()["contracts"] if c["id"] == "layers")
    apps = {config.name.removeprefix("haochaping.") for config in django_apps.get_app_configs()
            if config.name.startswith("haochaping.")}
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


def _graph(*imports: tuple[str, str]) -> Any:
    graph = grimp.ImportGraph()
    for module in ("haochaping", "haochaping.core", "haochaping.core.x", "haochaping.core.tests",
                   "haochaping.core.tests.t", "haochaping.evaluations",
                   "haochaping.evaluations.y", "tests", "tests.factories"):
        graph.add_module(module)
    for importer, imported in imports:
        graph.add_import(importer=importer, imported=imported, line_number=1,
                         line_contents=f"import {imported}")
    return graph


SESSION = {"root_packages": ["haochaping", "tests"]}


def _layers_kept(graph: Any) -> bool:
    contract = ProductionLayersContract(
        name="layers", session_options=SESSION,
        contract_options={"containers": ["haochaping"], "layers": ["evaluations", "core"]})
    return bool(contract.check(graph, verbose=False).kept)


def test_the_layers_contract_skips_tests_only() -> None:
    assert _layers_kept(_graph(("haochaping.core.tests.t", "haochaping.evaluations.y")))
    assert not _layers_kept(_graph(("haochaping.core.x", "haochaping.evaluations.y")))


def test_production_code_may_not_import_test_code() -> None:
    contract = NoTestCodeInProductionContract(name="tests", session_options=SESSION,
                                        contract_options={"root": "haochaping"})
    check = contract.check(_graph(("haochaping.core.x", "tests.factories")), verbose=False)
    assert not check.kept
    assert check.metadata["found"] == [("haochaping.core.x", "tests.factories", [1])]
    assert contract.check(_graph(("haochaping.core.tests.t", "tests.factories")),
                          verbose=False).kept
