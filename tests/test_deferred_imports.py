"""An import inside a function says why beside it: a comment on its line or just above its
block (a cycle that cannot be cut, the app registry not ready yet, a heavy optional import).
Everything else is imported at the top, where a reader looks for what a module depends on."""

import ast
from pathlib import Path

import alliance

ROOT = Path(alliance.__file__).parent


def unexplained_imports(path: Path) -> list[int]:
    lines = path.read_text().splitlines()
    tree = ast.parse("\n".join(lines))
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        imports = [n for n in ast.walk(function) if isinstance(n, ast.Import | ast.ImportFrom)]
        import_lines = {
            number
            for node in imports
            for number in range(node.lineno, (node.end_lineno or node.lineno) + 1)
        }
        for node in imports:
            if "#" in lines[node.lineno - 1]:
                continue
            above = node.lineno - 1
            while above in import_lines:
                above -= 1
            if not lines[above - 1].strip().startswith("#"):
                found.append(node.lineno)
    return found


def test_every_deferred_import_says_why() -> None:
    offenders = {
        str(path.relative_to(ROOT)): lines
        for path in sorted(ROOT.rglob("*.py"))
        if (lines := unexplained_imports(path))
    }
    assert offenders == {}


def test_it_finds_an_import_with_no_reason(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(
        "def explained():\n"
        "    # Imported here: the registry is not ready at import time.\n"
        "    from a import b\n"
        "    from c import (\n"
        "        d,\n"
        "    )\n"
        "\n"
        "def beside():\n"
        "    import e  # heavy, and only this command needs it\n"
        "\n"
        "def unexplained():\n"
        "    x = 1\n"
        "    import f\n"
    )
    assert unexplained_imports(module) == [13]
