"""The apps keep one dependency order, checked by import-linter's contracts in pyproject.toml
(`make lint` runs them too): here on the code as it is, and on a copy with one upward import."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_every_contract_is_kept() -> None:
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout[-4000:]
    assert "BROKEN" not in done.stdout


def copy_of_the_code(into: Path) -> Path:
    shutil.copytree(ROOT / "alliance", into / "alliance", ignore=shutil.ignore_patterns("static"))
    shutil.copy(ROOT / "pyproject.toml", into / "pyproject.toml")
    return into


def test_an_app_that_imports_one_above_it_fails(tmp_path: Path) -> None:
    tree = copy_of_the_code(tmp_path)
    (tree / "alliance" / "clients" / "upward.py").write_text(
        "from alliance.care.models import Alert\n"
    )
    done = lint_imports(tree)
    assert done.returncode == 1
    assert "alliance.clients is not allowed to import alliance.care" in done.stdout
    assert "alliance.clients.upward -> alliance.care.models" in done.stdout


def test_a_pure_core_that_reaches_django_through_another_module_fails(tmp_path: Path) -> None:
    tree = copy_of_the_code(tmp_path)
    (tree / "alliance" / "demo" / "synthetic" / "impure.py").write_text(
        "from alliance.demo import history\n"
    )
    done = lint_imports(tree)
    assert done.returncode == 1
    assert "The pure cores import no Django" in done.stdout
    assert "alliance.demo.synthetic.impure -> alliance.demo.history" in done.stdout
