"""The crashes the fuzzers found, each as the case that found it (docs/security.md lists them)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kg.graph.db import Database
from tests.conftest import ROOT, ServerHandle, run_kg
from tests.fuzz.conftest import assert_clean
from tests.seed.test_sheet import ROWS

ACTORS = ROOT / "tests" / "bad_seeds" / "_base" / "actors.yaml"
SOURCE = ROOT / "tests" / "fuzz" / "seeds" / "source.yaml"
TEXTS = ROOT.parent / "shared" / "sources"


def test_a_control_character_is_one_problem_at_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "actors.yaml"
    bad.write_text("actors:\n  - id: eps\n\x08   label: PoliceAgency\n", encoding="utf-8")
    proc = run_kg("validate", str(bad), str(SOURCE))
    assert_clean(proc, [str(bad), str(SOURCE)])
    assert f"{bad}:3: YAML error: unacceptable character #x0008: control characters are not allowed" in proc.stderr


def test_a_line_break_inside_a_value_stays_inside_its_problem(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "seed", project / "seed")
    sources = tmp_path / "Sources.csv"
    sources.write_text("id,0\x850\nsrc-x,1\n", encoding="utf-8")
    proc = run_kg("--project", str(project), "import", "sheet", str(sources), "--texts", str(TEXTS))
    assert_clean(proc, names=("Sources.csv",))
    assert proc.returncode == 1 and "0\\x850" in proc.stderr
    assert all(line.startswith(("Sources.csv", str(sources), "kg: ")) for line in proc.stderr.splitlines())


def test_a_long_text_name_and_a_bracketed_cell_are_problems_of_their_cells(tmp_path: Path) -> None:
    import csv

    project = tmp_path / "project"
    shutil.copytree(ROOT / "seed", project / "seed")
    for sheet, column, value in (("Sources", "text", "x" * 300), ("Statement", "name", "[" * 70)):
        rows = [dict(r) for r in ROWS[sheet]]
        rows[0][column] = value
        path = tmp_path / f"{sheet}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(dict.fromkeys(k for r in rows for k in r)))
            writer.writeheader()
            writer.writerows(rows)
    files = [str(tmp_path / "Sources.csv"), str(tmp_path / "Statement.csv")]
    proc = run_kg("--project", str(project), "import", "sheet", *files, "--texts", str(TEXTS))
    assert_clean(proc, names=("Sources.csv",))
    assert proc.returncode == 1 and "column text: text file name 'xxx" in proc.stderr, proc.stderr


def test_source_add_of_an_impossible_date_is_a_usage_error(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "seed", project / "seed")
    article = tmp_path / "a.txt"
    article.write_text("Edmonton police used Clearview AI, CTV News reported.\n", encoding="utf-8")
    proc = run_kg("--project", str(project), "source", "add", str(article), "--texts", str(tmp_path / "texts"),
                  "--publisher", "ctv-news", "--published", "2020-02-30")
    assert proc.returncode == 2 and "kg: --published '2020-02-30': " in proc.stderr and "Traceback" not in proc.stderr
    assert not (project / "seed" / "sources" / "src-ctv-news-2020-02-30.yaml").exists()


@pytest.mark.parametrize("line", [{"node": ["Entity", "PoliceAgency"], "id": "x", "sources": 5},
                                  {"node": "Entity", "id": "x"}, {"rel": "USED", "key": 3},
                                  {"rel": "MENTIONS", "from": "s"}, {"node": ["Entity"], "id": "x", "name": {}}])
def test_diff_refuses_a_line_unlike_an_export(tmp_path: Path, line: dict[str, object]) -> None:
    old, new = tmp_path / "old.jsonl", tmp_path / "new.jsonl"
    old.write_text(json.dumps({"node": ["Entity", "PoliceAgency"], "id": "x", "sources": ["s"]}) + "\n")
    new.write_text(json.dumps(line) + "\n")
    proc = run_kg("diff", str(old), str(new))
    assert proc.returncode == 1 and f"kg: {new}:1: not a line of `kg export`: " in proc.stderr, proc.stderr


@pytest.mark.db
def test_an_entity_not_found_names_its_parameter(seeded: Database, _guarded: ServerHandle) -> None:
    proc = run_kg("query", "run", "entity-profile", "-p", "entity= ", env=_guarded.env())
    assert proc.returncode == 2 and "(parameter 'entity')" in proc.stderr, proc.stderr


def test_fact_add_of_a_quote_of_only_spaces_is_refused_in_a_line(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "seed", project / "seed")
    proc = run_kg("--project", str(project), "fact", "add", "src-ctv-edmonton-2020-02-28", "--quote", " \u00a0 ",
                  "--rel", "USED", "--from", "eps", "--to", "clearview-app", "--texts", str(TEXTS))
    assert_clean(proc, names=("does not occur",))
    assert proc.returncode == 1, proc.stderr


def test_a_blank_unknown_key_is_named_as_a_blank(tmp_path: Path) -> None:
    bad = tmp_path / "actors.yaml"
    bad.write_text(ACTORS.read_text() + "' ': 1\n'  0': 2\n", encoding="utf-8")
    proc = run_kg("validate", str(bad), str(SOURCE))
    assert_clean(proc, [str(bad), str(SOURCE)])
    assert f"{bad}:32: ' ': Extra inputs are not permitted" in proc.stderr, proc.stderr
    assert f"{bad}:33: '  0': Extra inputs are not permitted" in proc.stderr, proc.stderr


def test_a_pdf_with_a_creation_date_pypdf_cannot_read_has_no_date(tmp_path: Path) -> None:
    from tests.seed.test_curation import _pdf

    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(_pdf("Edmonton police used Clearview AI.", "T", "A", "nonsense"))
    from kg.seed.curate import extract

    assert extract(pdf).date is None


@pytest.mark.db
def test_a_limit_past_neo4js_integers_is_a_400_not_a_500(seeded: Database, _guarded: ServerHandle) -> None:
    from starlette.testclient import TestClient

    from kg.web.app import create_app

    with TestClient(create_app(_guarded.settings, TEXTS), raise_server_exceptions=False) as client:
        page = client.get("/question/agencies-learned-at-conferences.json", params={"limit": str(2**63 - 1)})
        assert page.status_code == 400 and "'limit' is at most 1,000,000,000 rows" in page.json()["error"]
    proc = run_kg("query", "run", "stop-orders", "-p", f"limit={2**63 - 1}", env=_guarded.env())
    assert proc.returncode == 2 and "is at most" in proc.stderr
