"""`kg import sheet`: the template's drop-downs (also after LibreOffice saved it), a filled template
made into seed files that validate, CSV files, text that looks like a formula kept as text, and
bad rows refused with their sheet, row and column and nothing written. No database needed (the
round trip through the graph is tests/export/test_xlsx.py)."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook

from kg.seed.sheet_read import convert
from kg.seed.validate import validate
from tests.conftest import ROOT, run_kg

TEXTS = ROOT.parent / "shared" / "sources"
SID = "src-test-lakeshore"

#: an article written for kg's tests (fiction); its last line has words a spreadsheet would take for formulas
ARTICLE = """\
Lakeshore police quietly tried facial recognition app, records show

By Test Writer, Kg Test Gazette. March 2, 2030

LAKESHORE -- The Lakeshore Regional Police Service used Clearview AI during a two-week trial in January, \
according to records released to the Kg Test Gazette.

"We looked at it for two weeks and decided it was not for us," said Insp. Dana Whitfield.

The sign-up form, released in full, read =2+5 officers, and its last field was @SUM(A1) as typed.
"""
HOSTILE = "=2+5 officers"

#: rows a person adds to the template: a source, a new agency of a registry, two statements, two relations
ROWS: dict[str, list[dict[str, Any]]] = {
    "Sources": [{"id": SID, "title": "Lakeshore police quietly tried facial recognition app",
                 "publisher": "ctv-news", "published": "2030-03-02", "published_as_written": "March 2, 2030",
                 "text": "lakeshore.txt"}],
    "PoliceAgency": [{"id": "lakeshore-police", "name": "Lakeshore Regional Police Service",
                      "aliases": "Lakeshore police | LRPS", "level": "regional"}],
    "Statement": [
        {"id": "st-lakeshore-not-for-us", "name": "Lakeshore police: the app was not for them", "date": "2030-03",
         "date_as_written": "March", "stance": "explanation", "source": SID,
         "quote": "We looked at it for two weeks and decided it was not for us", "confidence": "high"},
        {"id": "st-lakeshore-form", "name": "-the form's count", "source": SID, "quote": HOSTILE,
         "confidence": "medium", "note": "@SUM(A1)"},
    ],
    "USED": [{"from": "lakeshore-police", "to": "clearview-app", "mode": "trial", "start": "2030-01", "officers": 2,
              "approved": True, "source": SID, "quote": "used Clearview AI during a two-week trial in January",
              "confidence": "high"}],
    "ON_BEHALF_OF": [{"from": "st-lakeshore-not-for-us", "to": "lakeshore-police", "source": SID,
                      "quote": "We looked at it for two weeks", "confidence": "high"}],
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project holding a copy of the seed, with a texts folder that has the test article too."""
    folder = tmp_path / "project"
    (folder / ".kg").mkdir(parents=True)
    shutil.copytree(ROOT / "seed", folder / "seed")
    texts = tmp_path / "texts"
    shutil.copytree(TEXTS, texts)
    (texts / "lakeshore.txt").write_text(ARTICLE, encoding="utf-8")
    return folder


def _texts(project: Path) -> Path:
    return project.parent / "texts"


def _kg(project: Path, *args: str) -> Any:
    return run_kg("--project", str(project), *args, "--texts", str(_texts(project)), cwd=project)


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def made_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`kg import sheet --template` in a project holding the seed (made once: tests fill copies)."""
    path = tmp_path_factory.mktemp("template") / "template.xlsx"
    made = run_kg("import", "sheet", "--template", str(path), cwd=ROOT)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == str(path) and "drop-down lists" in made.stderr
    return path


@pytest.fixture
def template(made_template: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(made_template, tmp_path / "template.xlsx"))


def _fill(template: Path, out: Path, rows: dict[str, list[dict[str, Any]]] = ROWS,
          change: Callable[[Any], None] | None = None) -> Path:
    """The template with `rows` typed in, as a person would (text typed as text)."""
    book = load_workbook(template)
    for sheet, items in rows.items():
        ws = book[sheet]
        columns = [c.value for c in ws[1]]
        for r, row in enumerate(items, 2):
            for key, value in row.items():
                cell = ws.cell(r, columns.index(key) + 1)
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"
    if change is not None:
        change(book)
    book.save(out)
    return out


def _cell(book: Any, sheet: str, row: int, column: str, value: Any, formula: bool = False) -> None:
    ws = book[sheet]
    cell = ws.cell(row, [c.value for c in ws[1]].index(column) + 1)
    cell.value = value
    if isinstance(value, str) and not formula:
        cell.data_type = "s"


def _header(book: Any, sheet: str, column: int, name: str) -> None:
    book[sheet].cell(1, column).value = name


# --- the template --------------------------------------------------------------------------------

def test_the_template_has_drop_downs_of_kinds_confidences_and_known_ids_that_libreoffice_keeps(
        project: Path, template: Path, tmp_path: Path) -> None:
    again = run_kg("--project", str(project), "import", "sheet", "--template", str(template), cwd=project)
    assert again.returncode == 2 and "never overwrites" in again.stderr  # it may hold a person's rows
    saved = convert(template, tmp_path / "lo", "xlsx")  # LibreOffice opens it and saves it as its own
    for path in (template, saved):
        book = load_workbook(path)
        # a sheet per kind of node and per relationship type, Sources first; the lists hidden
        assert book.sheetnames[:2] == ["Sources", "PoliceAgency"] and {"Statement", "USED", "MADE"} <= set(
            book.sheetnames)
        assert book["Lists"].sheet_state == "hidden"
        used = book["USED"]
        header = [c.value for c in used[1]]
        assert header[:5] == ["id", "from", "from_name", "to", "to_name"] and header[-3:] == [
            "source", "quote", "confidence"]
        lists = {str(dv.sqref).split(":")[0]: dv for dv in used.data_validations.dataValidation}

        def letter(name: str) -> str:
            return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[header.index(name)] + "2"

        assert lists[letter("confidence")].formula1 == '"high,medium,low"'
        assert lists[letter("mode")].formula1 == '"trial,evaluation,research,test,operational"'
        assert lists[letter("approved")].formula1 == '"true,false"'
        assert lists[letter("source")].formula1 == "Sources!$A$2:$A$1000"  # the workbook's own sources
        # `from` offers the known agencies, units and people; `to` the known products
        for column, some, none in (("from", "eps", "clearview-app"), ("to", "clearview-app", "eps")):
            formula = lists[letter(column)].formula1
            assert lists[letter(column)].errorStyle == "warning"  # an id declared in this workbook stays allowed
            sheet, cells = formula.split("!")
            first, last = cells.replace("$", "").split(":")
            values = [c.value for row in book[sheet][first:last] for c in row]
            assert some in values and none not in values, (column, values)
        assert lists[letter("confidence")].errorStyle in (None, "stop")  # a mistyped confidence is refused
        statement = book["Statement"]
        formulas = {dv.formula1 for dv in statement.data_validations.dataValidation}
        assert any("denial" in (f or "") and "admission" in (f or "") for f in formulas)  # stance


# --- a filled template ---------------------------------------------------------------------------

def test_a_filled_template_becomes_seed_files_that_validate_with_text_kept_as_text(project: Path,
                                                                                   template: Path) -> None:
    filled = _fill(template, project.parent / "lakeshore.xlsx")
    done = _kg(project, "import", "sheet", str(filled))
    assert done.returncode == 0, done.stderr
    source_file = project / "seed" / "sources" / f"{SID}.yaml"
    registry = project / "seed" / "actors" / "lakeshore.yaml"
    assert done.stdout.split() == [str(source_file), str(registry)]
    assert "1 source with 2 nodes and 2 relationships, 1 actor of a registry; 4 quotes found" in done.stderr
    data = yaml.safe_load(source_file.read_text())
    meta = data["source"]
    assert meta["publisher"] == "ctv-news"
    assert meta["published"] == {"value": "2030-03-02", "as_written": "March 2, 2030"}
    assert meta["text"] == {"file": "lakeshore.txt", "sha256": hashlib.sha256(ARTICLE.encode()).hexdigest(),
                            "length": len(ARTICLE.encode())}  # pinned from the texts folder
    statements = {n["id"]: n for n in data["nodes"]}
    assert statements["st-lakeshore-not-for-us"]["date"] == {"value": "2030-03", "as_written": "March"}
    form = statements["st-lakeshore-form"]
    assert (form["quote"], form["name"], form["note"]) == (HOSTILE, "-the form's count", "@SUM(A1)")  # text
    [used, behalf] = data["relations"]
    assert used == {"type": "USED", "from": "lakeshore-police", "to": "clearview-app", "mode": "trial", "officers": 2,
                    "start": "2030-01", "approved": True,
                    "quote": "used Clearview AI during a two-week trial in January", "confidence": "high"}
    assert behalf["type"] == "ON_BEHALF_OF" and "id" not in behalf
    [agency] = yaml.safe_load(registry.read_text())["actors"]
    assert agency == {"id": "lakeshore-police", "label": "PoliceAgency", "name": "Lakeshore Regional Police Service",
                      "aliases": ["Lakeshore police", "LRPS"], "level": "regional"}
    seed = validate([project / "seed"], texts=_texts(project))
    assert seed.nodes["st-lakeshore-form"].props["quotes"] == [HOSTILE]
    assert seed.rels["lakeshore-police--USED--clearview-app"].props["sources"] == [SID]
    # a second import of the same rows overwrites nothing
    before = _tree(project / "seed")
    again = _kg(project, "import", "sheet", str(filled))
    assert again.returncode == 1 and "exists; kg import sheet never overwrites a seed file" in again.stderr
    assert "lakeshore.xlsx: sheet Sources, row 2, column id:" in again.stderr
    assert _tree(project / "seed") == before


def test_libreoffice_keeps_a_formula_like_quote_as_text_and_it_imports_back(project: Path, template: Path,
                                                                             tmp_path: Path) -> None:
    filled = _fill(template, tmp_path / "lakeshore.xlsx")
    for to in ("xlsx", "ods"):
        saved = convert(filled, tmp_path / f"lo-{to}", to)
        if to == "xlsx":
            book = load_workbook(saved)
            statement = book["Statement"]
            column = [c.value for c in statement[1]].index("quote")
            cell = statement.cell(3, column + 1)
            assert (cell.value, cell.data_type) == (HOSTILE, "s")  # LibreOffice evaluated nothing: still the text
        out = tmp_path / f"seed-{to}"
        if to == "xlsx":
            done = run_kg("--project", str(project), "import", "sheet", str(saved), "--out", str(out), "--texts",
                          str(_texts(project)), cwd=project)
            # --out is a seed folder of its own: the actors its rows name are in the project's seed, not there
            assert done.returncode == 1 and "unknown id 'ctv-news'" in done.stderr, done.stderr
            assert not out.exists()
        shutil.copytree(ROOT / "seed", out)
        done = run_kg("--project", str(project), "import", "sheet", str(saved), "--out", str(out), "--texts",
                      str(_texts(project)), cwd=project)
        assert done.returncode == 0, done.stderr
        nodes = yaml.safe_load((out / "sources" / f"{SID}.yaml").read_text())["nodes"]
        assert [n["quote"] for n in nodes if n["id"] == "st-lakeshore-form"] == [HOSTILE]
        assert any(r["approved"] is True for r in yaml.safe_load(
            (out / "sources" / f"{SID}.yaml").read_text())["relations"])  # LibreOffice's TRUE() is true


def test_csv_files_one_sheet_each_are_imported_together(project: Path, tmp_path: Path) -> None:
    import csv

    files = []
    for sheet in ("Sources", "Statement"):
        path = tmp_path / f"{sheet.lower()}.csv"
        rows = ROWS[sheet] if sheet == "Sources" else ROWS[sheet][:1]
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(dict.fromkeys(k for r in rows for k in r)))
            writer.writeheader()
            writer.writerows(rows)
        files.append(str(path))
    done = _kg(project, "import", "sheet", *files)
    assert done.returncode == 0, done.stderr
    data = yaml.safe_load((project / "seed" / "sources" / f"{SID}.yaml").read_text())
    assert [n["id"] for n in data["nodes"]] == ["st-lakeshore-not-for-us"]
    wrong = tmp_path / "statements-of-2030.csv"
    shutil.copy(tmp_path / "statement.csv", wrong)
    refused = _kg(project, "import", "sheet", str(wrong))
    assert refused.returncode == 1 and "statements-of-2030.csv: a CSV file is one sheet, named by its file" in (
        refused.stderr)
    bad = tmp_path / "Statement.csv"
    bad.write_text("id,name,source,quote,confidence\nst-x,X,src-nowhere,We looked at it,high\n", encoding="utf-8")
    refused = _kg(project, "import", "sheet", str(bad))
    # a CSV file is one sheet: its problems name the row and the column
    assert refused.returncode == 1 and "Statement.csv: row 2, column source: 'src-nowhere' is not a row of sheet " \
                                       "Sources" in refused.stderr, refused.stderr
    # a blank line is no row; a value in a column without a name is not dropped in silence
    bad.write_text("id,name,source,quote,confidence\n,,,,\nst-x,X,src-nowhere,We looked at it,high,extra\n",
                   encoding="utf-8")
    refused = _kg(project, "import", "sheet", str(bad))
    assert refused.returncode == 1 and "Statement.csv: column 6 holds values but has no name in row 1" in (
        refused.stderr) and "row 2" not in refused.stderr, refused.stderr


# --- bad rows: sheet, row, column; exit 1; nothing written ----------------------------------------

BAD: list[tuple[str, Callable[[Any], None], str]] = [
    ("quote-not-in-text", lambda b: _cell(b, "Statement", 2, "quote", "We looked at it for three weeks"),
     "sheet Statement, row 2, column quote: quote not found in lakeshore.txt; closest passage: "),
    ("unknown-id", lambda b: _cell(b, "USED", 2, "to", "clearview"),
     "sheet USED, row 2, column to: unknown id 'clearview': no actor, fact or source has it"),
    ("wrong-end", lambda b: _cell(b, "USED", 2, "to", "eps"),
     "sheet USED, row 2, column to: 'eps' is a PoliceAgency; expected Product here"),
    ("bad-confidence", lambda b: _cell(b, "Statement", 3, "confidence", "sure"),
     "sheet Statement, row 3, column confidence: Input should be 'high', 'medium' or 'low'"),
    ("bad-choice", lambda b: _cell(b, "PoliceAgency", 2, "level", "city"),
     "sheet PoliceAgency, row 2, column level: level 'city' is not one of: municipal, regional, provincial, federal"),
    ("vague-date", lambda b: _cell(b, "Statement", 2, "date", "last week"),
     "sheet Statement, row 2, column date: 'last week' is not an ISO date"),
    ("impossible-date", lambda b: _cell(b, "USED", 2, "start", "2030-02-30"),
     "sheet USED, row 2, column start: '2030-02-30': day is out of range for month"),
    ("not-a-number", lambda b: _cell(b, "USED", 2, "officers", "two"),
     "sheet USED, row 2, column officers: 'two' is not a whole number"),
    ("a-formula", lambda b: _cell(b, "PoliceAgency", 2, "name", "=A1", formula=True),
     "sheet PoliceAgency, row 2, column name: a formula (=A1): kg reads values, never formulas"),
    ("no-source", lambda b: _cell(b, "Statement", 3, "source", None),
     "sheet Statement, row 3, column source: empty: a Statement (a fact) needs the source that says it"),
    ("source-elsewhere", lambda b: _cell(b, "Statement", 3, "source", "src-ctv-edmonton-2020-02-28"),
     "sheet Statement, row 3, column source: 'src-ctv-edmonton-2020-02-28' is not a row of sheet Sources"),
    ("no-quote", lambda b: _cell(b, "USED", 2, "quote", None),
     "sheet USED, row 2, column quote: empty: a fact needs its quote"),
    ("taken-id", lambda b: _cell(b, "PoliceAgency", 2, "id", "eps"),
     "sheet PoliceAgency, row 2, column id: duplicate id 'eps' (first declared at "),
    ("twice-in-the-sheet", lambda b: _cell(b, "Statement", 3, "id", "st-lakeshore-not-for-us"),
     "sheet Statement, row 3, column id: duplicate id 'st-lakeshore-not-for-us' in the same source"),
    ("unknown-column", lambda b: _header(b, "Statement", 3, "alias"),
     "sheet Statement: column alias: not a column of sheet Statement (did you mean aliases?)"),
    ("unknown-sheet", lambda b: setattr(b["Statement"], "title", "Statment"),
     "sheet Statment: not a sheet of kg's layout (Sources, a kind of node such as Statement, or a relationship "
     "type such as USED) (did you mean Statement?)"),
    ("text-missing", lambda b: _cell(b, "Sources", 2, "text", "lakeshore-2.txt"),
     "sheet Sources, row 2, column text: text lakeshore-2.txt is not in the texts folder"),
    ("text-changed", lambda b: _cell(b, "Sources", 2, "text_sha256", "0" * 64),
     "sheet Sources, row 2, column text: text lakeshore.txt has changed"),
    ("words-without-date", lambda b: _cell(b, "Statement", 2, "date", None),
     "sheet Statement, row 2, column date_as_written: the words of a date need the date itself, in column date"),
]


@pytest.mark.parametrize(("change", "expected"), [(c, e) for _, c, e in BAD], ids=[n for n, _, _ in BAD])
def test_a_bad_row_is_refused_with_its_sheet_row_and_column_and_nothing_is_written(
        project: Path, template: Path, change: Callable[[Any], None], expected: str) -> None:
    bad = _fill(template, project.parent / "bad.xlsx", change=change)
    before = _tree(project / "seed")
    done = _kg(project, "import", "sheet", str(bad))
    assert done.returncode == 1, done.stderr
    assert f"bad.xlsx: {expected}" in done.stderr, done.stderr
    assert done.stderr.strip().splitlines()[-1].endswith("in the sheets; nothing was written")
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert _tree(project / "seed") == before


def test_files_that_are_no_workbook_are_refused_in_a_line(project: Path, tmp_path: Path) -> None:
    for name, content in (("graph.xlsx", b"not a zip"), ("graph.txt", b"id,name\n"), ("empty.csv", b"")):
        path = tmp_path / name
        path.write_bytes(content)
        done = _kg(project, "import", "sheet", str(path))
        assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert done.stderr.startswith(f"kg: {name}: "), done.stderr
    none = _kg(project, "import", "sheet")
    assert none.returncode == 2 and "give the spreadsheet" in none.stderr
