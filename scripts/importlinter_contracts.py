"""import-linter contract types for `lint-imports` (configured in pyproject.toml).

The layer contracts judge production code only: a test may set up rows of any app, so the
``tests`` packages (and their subpackages) are taken out of the import graph before the
stock ``layers`` and ``forbidden`` checks run. No import is ignored: every import between
production modules counts, lazy ones inside functions included. ``test_code_stays_out``
checks the other direction: no production module imports a test module.
"""

from __future__ import annotations

from typing import Any

import grimp
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


def is_test_module(module: str) -> bool:
    parts = module.split(".")
    return "tests" in parts or parts[0] == "conftest" or parts[-1] == "conftest"


def _drop_tests(graph: grimp.ImportGraph) -> None:
    for module in sorted(graph.modules):
        if is_test_module(module) and module in graph.modules:
            graph.remove_module(module)


class ProductionLayersContract(LayersContract):
    """The stock layers contract over production modules (tests removed)."""

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        _drop_tests(graph)
        return super().check(graph, verbose)


class ProductionForbiddenContract(ForbiddenContract):
    """The stock forbidden contract over production modules (tests removed)."""

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        _drop_tests(graph)
        return super().check(graph, verbose)


class NoTestCodeInProductionContract(Contract):
    """No module outside a ``tests`` package imports one inside it (test factories and
    helpers never reach production code)."""

    root = fields.StringField()

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        found: list[tuple[str, str, Any]] = []
        for module in sorted(graph.find_descendants(str(self.root)) | {str(self.root)}):
            if is_test_module(module):
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(module)):
                if is_test_module(imported):
                    details = graph.get_import_details(importer=module, imported=imported)
                    found.append((module, imported, [d["line_number"] for d in details]))
        return ContractCheck(kept=not found, metadata={"found": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        from importlinter.application import output

        for importer, imported, lines in check.metadata["found"]:
            output.print_error(f"{importer} imports test module {imported} (l.{lines})")
