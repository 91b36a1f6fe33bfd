"""The engine's modules import one another one way only: no cycle, not even one kept alive by a
TYPE_CHECKING import (model and norms once needed each other that way)."""

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import alliance.clinical.signals

PACKAGE = "alliance.clinical.signals"
ROOT = Path(alliance.clinical.signals.__file__).parent


def engine_imports(path: Path) -> set[str]:
    """Every engine module this file imports, wherever the import stands."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith(PACKAGE))
    return found


def test_the_engine_modules_have_no_import_cycle() -> None:
    graph = {
        f"{PACKAGE}.{path.stem}": engine_imports(path)
        for path in ROOT.glob("*.py")
        if path.stem != "__init__"
    }
    assert f"{PACKAGE}.norms" in graph[f"{PACKAGE}.context"]
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as cycle:
        raise AssertionError(f"import cycle: {' -> '.join(cycle.args[1])}") from None
    assert order.index(f"{PACKAGE}.model") < order.index(f"{PACKAGE}.norms")
