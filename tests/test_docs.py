"""Docs that cannot drift: what is generated from the code is committed, and must be current."""

from __future__ import annotations

import pytest

from kg.docs import GENERATED

from .conftest import ROOT, run_kg


@pytest.mark.parametrize("relpath", sorted(GENERATED))
def test_generated_document_is_current(relpath: str) -> None:
    committed = (ROOT / relpath).read_text(encoding="utf-8")
    assert committed == GENERATED[relpath](), f"{relpath} is stale: run `kg docs` and commit the result"


def test_every_command_has_help() -> None:
    for args in (["--help"], ["db", "--help"], ["query", "--help"], ["load", "--help"], ["validate", "--help"],
                 ["search", "--help"], ["stats", "--help"], ["cypher", "--help"], ["export", "--help"],
                 ["import", "--help"], ["import", "sheet", "--help"]):
        proc = run_kg(*args)
        assert proc.returncode == 0, args
        assert "Usage:" in proc.stdout


def test_readme_names_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
