"""The `kg` command as a thin layer: one error boundary, choices as Enums that match the library,
usage errors as exit 2. In process (typer's CliRunner); no database needed."""

from __future__ import annotations

import ast

import pytest
from typer.testing import CliRunner

from kg import export, output
from kg.cli import app as cli_app
from kg.cli import options as cli
from kg.errors import KgError, UsageError, ValidationFailed
from tests.conftest import ROOT, clean_env, run_kg, run_kg_process

runner = CliRunner()


def test_choices_are_the_librarys() -> None:
    assert [f.value for f in cli.OutputFormat] == list(output.FORMATS)
    assert [f.value for f in cli.AnswerFormat] == list(output.ANSWER_SUFFIXES)
    assert [f.value for f in cli.ExportFormat] == list(export.FORMATS)
    assert [b.value for b in cli.Backend] == ["auto", "docker", "local"]


@pytest.mark.parametrize(("args", "choices"), [
    (["query", "list", "--format", "xml"], "'table', 'records', 'json', 'csv', 'markdown'"),
    (["query", "run-all", "--format", "table"], "'json', 'csv', 'markdown'"),
    (["export", "--format", "parquet"], "'jsonl', 'graphml', 'gexf', 'csv', 'ftm', 'xlsx'"),
    (["db", "up", "--backend", "cloud"], "'auto', 'docker', 'local'"),
    (["load", "--dry-run", "--format", "yaml"], "'table', 'records', 'json', 'csv', 'markdown'"),
])
def test_a_wrong_choice_is_a_usage_error_that_lists_the_choices(args: list[str], choices: str) -> None:
    proc = run_kg(*args)
    assert proc.returncode == 2, proc.stderr
    assert choices in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout == ""


@pytest.mark.parametrize(("command", "choices"), [
    (["query", "run"], "<table|records|json|csv|markdown>"),
    (["export"], "<jsonl|graphml|gexf|csv|ftm|xlsx>"),
    (["db", "up"], "<auto|docker|local>"),
])
def test_help_lists_the_choices(command: list[str], choices: str) -> None:
    helptext = run_kg(*command, "--help").stdout
    assert choices in helptext


def test_no_command_handles_kg_errors_itself() -> None:
    """The root group is the one error boundary: only KgGroup catches kg's errors."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted((ROOT / "kg" / "cli").glob("*.py"))}
    group = next(n for n in trees[ROOT / "kg" / "cli" / "app.py"].body
                 if isinstance(n, ast.ClassDef) and n.name == "KgGroup")
    inside = {id(n) for n in ast.walk(group)}
    catching = [(path.name, n.lineno) for path, tree in trees.items() for n in ast.walk(tree)
                if isinstance(n, ast.ExceptHandler) and n.type is not None
                and any(name in ast.unparse(n.type) for name in ("KgError", "ValidationFailed", "UsageError"))
                and id(n) not in inside]
    assert catching == []
    assert len([n for n in ast.walk(group) if isinstance(n, ast.ExceptHandler)]) == 2


@pytest.mark.parametrize(("error", "code", "stderr"), [
    (UsageError("a usage error"), 2, "kg: a usage error\n"),
    (KgError("a failure"), 1, "kg: a failure\n"),
    (ValidationFailed(["a.yaml:3: first", "b.yaml:1: second"]), 1,
     "a.yaml:3: first\nb.yaml:1: second\nkg: 2 problems in the seed files; nothing was written\n"),
])
def test_the_boundary_turns_kg_errors_into_lines_and_exit_codes(error: KgError, code: int, stderr: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_args: object, **_kwargs: object) -> None:
        raise error

    monkeypatch.setattr("kg.questions.catalogue.catalogue", fail)
    result = runner.invoke(cli_app, ["query", "list"])
    assert (result.exit_code, result.stderr, result.stdout) == (code, stderr, "")


def test_an_unknown_question_and_a_bad_parameter_exit_2_before_connecting() -> None:
    # no server answers on port 9 (discard): a connection would fail with exit 1, not 2
    env = {"NEO4J_URI": "bolt://127.0.0.1:9"}
    unknown = run_kg("query", "run", "no-such-question", env={**clean_env(), **env})
    assert unknown.returncode == 2 and "no query named 'no-such-question'" in unknown.stderr
    bad = run_kg("query", "run", "stop-orders", "-p", "as_of=2020-13", env={**clean_env(), **env})
    assert bad.returncode == 2 and "parameter 'as_of' expects date" in bad.stderr


def test_run_all_writes_through_the_output_module() -> None:
    """`kg query run-all` only prints: the files are written by kg.questions.run.answer_all via kg.output."""
    source = (ROOT / "kg" / "cli" / "questions.py").read_text(encoding="utf-8")
    body = source[source.index("def query_run_all"):source.index("@app.command()", source.index("def query_run_all"))]
    assert "answer_all(" in body and "write_text" not in body and "render(" not in body


def test_end_to_end_a_refusal_in_a_process_of_its_own() -> None:
    """The console script's path (`python -m kg`) keeps the boundary's promise: lines, exit 1, no traceback."""
    proc = run_kg_process("validate", "tests/bad_seeds/empty.yaml", env=clean_env())
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.splitlines() == ["tests/bad_seeds/empty.yaml:1: empty file: expected a mapping with `actors:` "
                                        "or `source:`", "kg: 1 problem in the seed files; nothing was written"]
