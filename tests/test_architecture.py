"""The layout's rules (docs/architecture.md), checked on the source: the layers and the absence of
import circles (the import-linter contracts in pyproject.toml, which `make lint` also runs), no
import of another module's private names, imports inside functions only where they keep `kg --help`
fast, and modules of a size one can read (no database needed)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

KG = ROOT / "kg"
MODULES = sorted(KG.rglob("*.py"))

#: modules that may import kg inside a function: the commands (so that `kg --help` loads neither
#: the driver nor the heavier libraries) and the package's lazy public API (`import kg` stays light)
LAZY = {KG / "__init__.py", *sorted((KG / "cli").glob("*.py"))}

#: about 500 lines at most, unless one job needs more
MAX_LINES = 500
LONGER = {
    # the write path of a load: the Cypher of merging and creating, the parallel batched writer that
    # runs it, the removal of what a reloaded source no longer says, and the digest that skips a
    # repeated load all share the load's report and its constants; split, they would have to be
    # kept in step across files
    "kg/seed/loader.py": 650,
    # checking seed files is one pass of one checker over every file (shapes, references, merges
    # of a record declared twice, quotes against their texts), collecting every problem with its line
    "kg/seed/validate.py": 580,
}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_the_import_contracts_hold() -> None:
    """The layers and the acyclic siblings of pyproject.toml, as `make lint` checks them."""
    lint = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 kept, 0 broken" in proc.stdout


def test_no_module_imports_another_modules_private_names() -> None:
    found = []
    for path in MODULES:
        tree = _tree(path)
        aliases: set[str] = set()  # names bound to a kg module here
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "kg":
                found += [f"{_name(path)}:{node.lineno}: {node.module}.{a.name}" for a in node.names
                          if a.name.startswith("_") and not a.name.startswith("__")]
                aliases |= {a.asname or a.name for a in node.names}
            elif isinstance(node, ast.Import):
                aliases |= {a.asname or a.name.split(".")[0] for a in node.names if a.name.split(".")[0] == "kg"}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                    and node.attr.startswith("_") and not node.attr.startswith("__")):
                found.append(f"{_name(path)}:{node.lineno}: {node.value.id}.{node.attr}")
    assert found == []


def test_imports_inside_functions_only_where_they_keep_help_fast() -> None:
    found = []
    for path in MODULES:
        if path in LAZY:
            continue
        tree = _tree(path)
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found += [f"{_name(path)}:{n.lineno}" for n in ast.walk(fn)
                          if (isinstance(n, ast.ImportFrom) and n.module and n.module.split(".")[0] == "kg")
                          or (isinstance(n, ast.Import) and any(a.name.split(".")[0] == "kg" for a in n.names))]
    assert found == []


def test_help_loads_neither_the_driver_nor_the_heavy_libraries() -> None:
    code = ("import sys; from kg.cli import app; from typer.testing import CliRunner; "
            "assert CliRunner().invoke(app, ['--help']).exit_code == 0; "
            "print(' '.join(sorted(m for m in ('neo4j', 'pydantic', 'pyvis', 'rapidfuzz', 'yaml', 'followthemoney') "
            "if m in sys.modules)))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == ""


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_modules_stay_readable(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= LONGER.get(_name(path), MAX_LINES), f"{_name(path)}: {lines} lines"


def test_every_package_has_its_tests_folder() -> None:
    """Tests are laid out like the packages: tests/<package>/ for kg/<package>/."""
    packages = sorted(p.name for p in KG.iterdir() if (p / "__init__.py").is_file())
    assert [p for p in packages if not (ROOT / "tests" / p / "__init__.py").is_file()] == []
