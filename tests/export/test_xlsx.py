"""`kg export --format xlsx`: the workbook's sheets, rows and cells (ids, names, dates as written,
each source's quote and confidence), text that looks like a formula stored as text (and left so by
LibreOffice), and the round trip: the seed exported, imported into an empty project and loaded
gives the graph it came from, also from the copies LibreOffice saves (.xlsx and .ods)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from kg.export import export
from kg.export.xlsx import write_xlsx
from kg.graph.db import Database
from kg.graph.records import NodeRecord, Record, RelRecord, canonical
from kg.seed.loader import load, wipe
from kg.seed.sheet_import import import_sheets
from kg.seed.sheet_read import convert
from kg.seed.validate import validate
from tests.conftest import ROOT, ServerHandle, run_kg

TEXTS = ROOT.parent / "shared" / "sources"
CTV = "src-ctv-edmonton-2020-02-28"
CBC = "src-cbc-hamilton-2020-02"


def _rows(book: Any, sheet: str) -> list[dict[str, Any]]:
    ws = book[sheet]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.mark.db
def test_the_workbook_has_a_sheet_per_kind_and_a_row_per_citation(seeded: Database, server: ServerHandle,
                                                                   tmp_path: Path) -> None:
    out = tmp_path / "graph.xlsx"
    done = run_kg("export", "--format", "xlsx", "--out", str(out), env=server.env())
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(rf"wrote \d+ rows to {re.escape(str(out))}\n", done.stderr), done.stderr
    book = load_workbook(out)
    assert book.sheetnames[:3] == ["Sources", "PoliceAgency", "Unit"] and {"Statement", "USED", "MADE"} <= set(
        book.sheetnames)
    for ws in book.worksheets:  # the header frozen and filtered on every sheet
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
    sources = {r["id"]: r for r in _rows(book, "Sources")}
    assert set(sources) == {CTV, CBC}
    ctv = sources[CTV]
    assert (ctv["publisher"], ctv["published"], ctv["published_as_written"]) == ("ctv-news", "2020-02-28",
                                                                                 "on Friday")
    assert ctv["text"] == "edmonton-police-clearview.txt" and len(ctv["text_sha256"]) == 64
    # an actor of the registry: a row without a source; its aliases in one cell
    [eps] = [r for r in _rows(book, "PoliceAgency") if r["id"] == "eps"]
    assert (eps["name"], eps["source"], eps["quote"]) == ("Edmonton Police Service", None, None)
    assert "EPS" in eps["aliases"].split(" | ")
    # a fact: a row per source that cites it, with that source's words; dates as written
    [denial] = [r for r in _rows(book, "Statement") if r["id"] == "st-eps-denies-clearview-use"]
    assert (denial["date"], denial["date_as_written"], denial["stance"]) == ("2020-02", "A week earlier", "denial")
    assert denial["source"] == CTV and denial["confidence"] in ("high", "medium", "low") and denial["quote"]
    [used] = [r for r in _rows(book, "USED") if r["from"] == "eps" and r["to"] == "clearview-app"
              and r["purpose"] == "auto theft investigation"]
    assert (used["from_name"], used["to_name"]) == ("Edmonton Police Service", "Clearview AI facial recognition app")
    assert (used["start"], used["start_as_written"], used["approved"], used["stopped"]) == (
        "2020-01", "the following month", False, True)  # booleans stay booleans
    assert used["start_note"] == "The month after December 2019."
    assert (used["source"], used["confidence"]) == (CTV, "high")
    assert used["quote"].startswith("used it during an auto theft investigation")
    assert used["id"] == "eps-used-clearview-auto-theft"  # an id of its own (not from--TYPE--to) is kept
    # every relationship and fact node of the graph has its rows: one per source citing it
    cited = seeded.read("MATCH ()-[r]->() WHERE r.sources IS NOT NULL RETURN sum(size(r.sources)) AS n")[0]["n"]
    rel_rows = sum(len(_rows(book, t)) for t in book.sheetnames if t.isupper())
    assert rel_rows == cited


def test_text_that_looks_like_a_formula_is_stored_as_text_and_libreoffice_leaves_it(tmp_path: Path) -> None:
    hostile = ["=1+2", "+1+2", "-1+2", "@SUM(1,2)", "\t=1+2", "\r=1+2", '=HYPERLINK("https://example.invalid","x")',
               "=cmd|' /C calc'!A0"]
    source = {"id": "src-x", "name": "x", "title": "=1+1", "published": "2020"}
    items: list[Record] = [NodeRecord(["Entity", "Source"], source)]
    for i, text in enumerate(hostile):
        items.append(NodeRecord(["Entity", "Statement"], {
            "id": f"st-{i}", "name": text, "note": text, "sources": ["src-x"], "quotes": [text],
            "confidences": ["high"]}))
    items.append(RelRecord("PUBLISHED_BY", "src-x", "ctv-news", {}))
    out = tmp_path / "hostile.xlsx"
    with out.open("wb") as f:
        write_xlsx(items, f)
    saved = convert(out, tmp_path / "lo", "xlsx")
    for path in (out, saved):
        with zipfile.ZipFile(path) as z:
            sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any("<f>" in s or "<f " in s for s in sheets), path  # not one formula
        book = load_workbook(path)
        rows = _rows(book, "Statement")
        assert [r["quote"] for r in rows] == hostile and [r["name"] for r in rows] == hostile, path
        ws = book["Statement"]
        assert all(c.data_type == "s" for row in ws.iter_rows(min_row=2) for c in row if c.value is not None)
        assert _rows(book, "Sources")[0]["title"] == "=1+1"
    # and a spreadsheet keeps them text when a person edits them (the quote prefix)
    ws = load_workbook(out)["Statement"]
    assert all(ws.cell(r, 2).quotePrefix for r in range(2, 2 + len(hostile)))


@pytest.mark.db
def test_the_seed_through_a_workbook_and_libreoffice_loads_the_same_graph(db: Database, tmp_path: Path) -> None:
    load(db, validate([ROOT / "seed"], texts=TEXTS))
    expected = canonical(db)
    workbook = tmp_path / "graph.xlsx"
    export(db, "xlsx", workbook)
    copies = {"kg": workbook, "libreoffice-xlsx": convert(workbook, tmp_path / "lo-xlsx", "xlsx"),
              "libreoffice-ods": convert(workbook, tmp_path / "lo-ods", "ods")}
    for name, path in copies.items():
        project = tmp_path / name / "seed"  # an empty project's seed folder
        done = import_sheets([path], project, TEXTS)
        assert sorted(p.name for p in done.files) == ["graph.yaml", f"{CBC}.yaml", f"{CTV}.yaml"], name
        wipe(db)
        load(db, validate([project], texts=TEXTS, strict=True))
        assert canonical(db) == expected, name
