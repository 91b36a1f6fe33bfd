"""The pure packages stay pure: no Django import anywhere inside them (design.md)."""

import ast
from pathlib import Path

import alliance

PURE_PACKAGES = ["lib", "clinical", "scheduling", "demo/synthetic"]
ROOT = Path(alliance.__file__).parent


def imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_pure_packages_import_no_django() -> None:
    files = [path for package in PURE_PACKAGES for path in (ROOT / package).rglob("*.py")]
    assert files, "the pure packages should not be empty"
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            module
            for module in imported_modules(path)
            if module.split(".")[0] == "django"
            or module.startswith(("alliance.accounts", "alliance.practice", "alliance.booking"))
        )
        for path in files
    }
    assert {path: found for path, found in offenders.items() if found} == {}
