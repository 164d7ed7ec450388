"""Generated input to the commands that read files other than seed files: `kg import sheet` (CSV
files and workbooks of kg's layout, mutated), `kg fact add` (its options), `kg source add` (odd HTML,
PDF and text files) and `kg diff` (odd export lines). Each case is done, or refused with exit 1 or 2,
a message naming where (the file, its line, or the sheet, row and column) and nothing written;
never a traceback."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.export import jsonl
from kg.graph.db import Database
from tests.conftest import ROOT, run_kg
from tests.fuzz.conftest import assert_clean, budget, counted
from tests.fuzz.strategies import ODD_TEXT, TEXT, VALUE, damaged_text, mutated
from tests.seed.test_curation import _pdf
from tests.seed.test_sheet import ARTICLE, ROWS

TEXTS = ROOT.parent / "shared" / "sources"
EDMONTON = (TEXTS / "edmonton-police-clearview.txt").read_text(encoding="utf-8")


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project holding a copy of the seed and the questions, with a texts folder beside it that has
    the seed's articles and the sheet tests' article."""
    base = tmp_path_factory.mktemp("fuzz-project")
    folder = base / "project"
    shutil.copytree(ROOT / "seed", folder / "seed")
    shutil.copytree(ROOT / "cypher", folder / "cypher")
    (folder / "pyproject.toml").write_text("")
    shutil.copytree(TEXTS, base / "texts")
    (base / "texts" / "lakeshore.txt").write_text(ARTICLE, encoding="utf-8")
    return folder


def _kg(project: Path, *args: str) -> Any:
    return run_kg("--project", str(project), *args, cwd=project)


class Restore:
    """The project's seed and texts as they were before a case: what a case wrote is removed and
    what it changed put back (a refused case must have changed nothing)."""

    def __init__(self, project: Path) -> None:
        self.folders = [project / "seed", project.parent / "texts"]
        self.before = [_tree(f) for f in self.folders]
        self.copies = [project.parent / f".pristine-{f.name}" for f in self.folders]
        for folder, copy in zip(self.folders, self.copies, strict=True):
            if not copy.exists():
                shutil.copytree(folder, copy)

    def changed(self) -> bool:
        return [_tree(f) for f in self.folders] != self.before

    def restore(self) -> None:
        for folder, copy in zip(self.folders, self.copies, strict=True):
            shutil.rmtree(folder)
            shutil.copytree(copy, folder)


# --- kg import sheet ----------------------------------------------------------------------------

def _table(rows: Any) -> list[list[str]]:
    """Generated rows as a sheet: a header of every key, then a row of text cells per entry."""
    if not isinstance(rows, list):
        rows = [rows]
    by_text = [{str(k): v for k, v in r.items()} if isinstance(r, dict) else None for r in rows]
    keys = list(dict.fromkeys(k for r in by_text if r is not None for k in r))
    return [keys] + [[_cell(r.get(k)) for k in keys] if r is not None else [_cell(raw)]
                     for r, raw in zip(by_text, rows, strict=True)]


def _csv(rows: Any) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(_table(rows))
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, default=str)


@budget(ci=25, long=4_000)
@given(data=st.data(), as_xlsx=st.booleans())
def test_import_sheet(project: Path, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject,
                      as_xlsx: bool) -> None:
    counted("kg import sheet: rows mutated, CSV and .xlsx")
    rows = data.draw(mutated(ROWS))
    folder = tmp_path_factory.mktemp("sheets")
    files: list[Path] = []
    sheets = rows if isinstance(rows, dict) else {"Sources": rows}
    if as_xlsx:
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        book = Workbook()
        book.remove(book.worksheets[0])
        for name, content in sheets.items():
            title = ILLEGAL_CHARACTERS_RE.sub("", str(name))[:31] or "Sheet"
            if any(ch in title for ch in "[]:*?/\\") or title in book.sheetnames:
                continue
            ws = book.create_sheet(title)
            for line in _table(content):
                # a text starting with = is a formula cell, which the import refuses
                ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) for v in line])
        if not book.sheetnames:
            book.create_sheet("Sources")
        files.append(folder / "new.xlsx")
        book.save(files[0])
    else:
        for name, content in sheets.items():
            safe = "".join(ch for ch in str(name) if ch.isalnum() or ch in "_-") or "x"
            path = folder / f"{safe}.csv"
            text = _csv(content)
            if data.draw(st.integers(0, 4)) == 0:
                text = data.draw(damaged_text(text))
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
            files.append(path)
    guard = Restore(project)
    proc = _kg(project, "import", "sheet", *map(str, files), "--texts", str(project.parent / "texts"))
    assert_clean(proc, names=(*(f.name for f in files), "spreadsheet"))
    if proc.returncode != 0:
        assert not guard.changed(), proc.stderr
        for line in proc.stderr.strip().splitlines()[:-1]:  # each problem names its file (and sheet, row, column)
            assert any(line.startswith(f"{f}:") or line.startswith(f"{f.name}:") for f in files), line
    else:
        guard.restore()


# --- kg fact add --------------------------------------------------------------------------------

SOURCES = ["src-ctv-edmonton-2020-02-28", "src-cbc-hamilton-2020-02", "src-nowhere", ""]
ACTORS = ["eps", "clearview-app", "clearview-ai", "warren-driechel", "hamilton-police", "nobody", "EPS"]
TYPES = ["USED", "MADE", "ABOUT", "ON_BEHALF_OF", "HOLDS_ROLE", "LIKED", "used", ""]
LABELS = ["Statement", "Event", "Report", "Figure", "PoliceAgency", "Gossip", ""]


@st.composite
def passage(draw: st.DrawFn) -> str:
    start = draw(st.integers(0, len(EDMONTON) - 2))
    return EDMONTON[start:start + draw(st.integers(1, 120))]


OPTION = st.one_of(ODD_TEXT, TEXT, passage())


@budget(ci=25, long=4_000)
@given(source=st.sampled_from(SOURCES) | TEXT, relation=st.booleans(), data=st.data())
def test_fact_add(project: Path, source: str, relation: bool, data: st.DataObject) -> None:
    counted("kg fact add: options generated")
    args = ["fact", "add", source, "--quote", data.draw(st.one_of(passage(), OPTION)),
            "--texts", str(project.parent / "texts")]
    if relation:
        args += ["--rel", data.draw(st.sampled_from(TYPES) | TEXT), "--from", data.draw(st.sampled_from(ACTORS) | TEXT),
                 "--to", data.draw(st.sampled_from(ACTORS) | TEXT)]
    else:
        args += ["--label", data.draw(st.sampled_from(LABELS) | TEXT), "--name", data.draw(OPTION)]
        for _ in range(data.draw(st.integers(0, 2))):
            args += ["--link", data.draw(st.sampled_from(["MADE:from=eps", "ABOUT:to=clearview-app", "ABOUT:eps",
                                                          "X:to=eps", "ON_BEHALF_OF:to=nobody"]) | TEXT)]
    if data.draw(st.booleans()):
        args += ["--date", data.draw(st.sampled_from(["2020", "2020-02", "2020-02-30", "soon"]) | TEXT)]
    if data.draw(st.booleans()):
        args += ["--confidence", data.draw(st.sampled_from(["high", "low", "certain"]) | TEXT)]
    if data.draw(st.integers(0, 5)) == 0:
        args += ["--id", data.draw(st.sampled_from(["st-new", "eps", "Bad Id"]) | TEXT)]
    guard = Restore(project)
    proc = _kg(project, *args)
    seed = project / "seed"
    assert_clean(proc, files=[str(p) for p in seed.rglob("*.yaml")],
                 names=("--", "quote", "source", "id", "label", "link", "rel", "date", "confidence", "not"))
    if proc.returncode != 0:
        assert not guard.changed(), proc.stderr
        assert not list(seed.rglob(".*.kg-fact"))
    else:
        guard.restore()


# --- kg source add ------------------------------------------------------------------------------

TAGS = ["p", "div", "article", "script", "style", "title", "h1", "meta", "a", "br", "time", "table", "td", "iframe"]


@st.composite
def html_page(draw: st.DrawFn) -> bytes:
    parts = []
    for _ in range(draw(st.integers(0, 12))):
        tag = draw(st.sampled_from(TAGS))
        attrs = draw(st.sampled_from(["", ' property="article:published_time" content="2020-02-30"',
                                      ' name="author" content="<b>x</b>"', ' datetime="yesterday"',
                                      ' charset="utf-16"', ' class="byline"', ' href="javascript:alert(1)"']))
        inner = draw(st.one_of(TEXT, passage(), st.just("")))
        closed = draw(st.booleans())
        parts.append(f"<{tag}{attrs}>{inner}" + (f"</{tag}>" if closed else ""))
    text = "<!doctype html><html><head>" + "".join(parts[:3]) + "</head><body>" + "".join(parts[3:]) + "</body></html>"
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "latin-1", "cp1252"]))
    raw = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 3)) == 0:
        raw = raw[:draw(st.integers(0, len(raw)))]
    return raw


@st.composite
def pdf_file(draw: st.DrawFn) -> bytes:
    body = draw(st.one_of(passage(), TEXT)).encode("latin-1", errors="replace").decode("latin-1")
    raw = _pdf(body, draw(st.sampled_from(["T", "", "(x"])), draw(st.sampled_from(["A", ""])),
               draw(st.sampled_from(["20200228120000Z", "2020", "nonsense", "20201399"])))
    how = draw(st.sampled_from(["whole", "truncate", "flip", "garbage"]))
    if how == "truncate":
        raw = raw[:draw(st.integers(0, len(raw)))]
    elif how == "flip":
        at = draw(st.integers(0, len(raw) - 1))
        raw = raw[:at] + bytes([raw[at] ^ 0xFF]) + raw[at + 1:]
    elif how == "garbage":
        raw = b"%PDF-1.4\n" + draw(st.binary(max_size=500))
    return raw


ARTICLE_FILE = st.one_of(
    html_page().map(lambda b: ("article.html", b)),
    pdf_file().map(lambda b: ("article.pdf", b)),
    st.one_of(st.binary(max_size=600), TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")),
              passage().map(str.encode)).map(lambda b: ("article.txt", b)),
    st.binary(max_size=300).map(lambda b: ("article.htm", b)),
)


@budget(ci=20, long=3_000)
@given(article=ARTICLE_FILE, data=st.data())
def test_source_add(project: Path, tmp_path_factory: pytest.TempPathFactory, article: tuple[str, bytes],
                    data: st.DataObject) -> None:
    counted("kg source add: odd HTML, PDF and text files")
    name, raw = article
    path = tmp_path_factory.mktemp("article") / name
    path.write_bytes(raw)
    args = ["source", "add", str(path), "--texts", str(project.parent / "texts")]
    for option, values in (("--publisher", ["ctv-news", "nobody", "EPS"]),
                           ("--published", ["2020-03-02", "2020-02-30"]),
                           ("--id", ["src-fuzz-article", "Bad Id", "src-ctv-edmonton-2020-02-28"]),
                           ("--title", ["A title"]), ("--url", ["https://example.org/a", "javascript:alert(1)"])):
        if data.draw(st.booleans()):
            args += [option, data.draw(st.sampled_from(values) | TEXT)]
    guard = Restore(project)
    proc = _kg(project, *args)
    assert_clean(proc, names=(name, "--", "id", "publisher", "published", "title", "url", "text", "not"))
    if proc.returncode != 0:
        assert not guard.changed(), proc.stderr
    else:
        guard.restore()


# --- kg diff ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def export_lines(seeded: Database) -> list[Any]:
    out = io.StringIO()
    jsonl.write(seeded, out)
    return [json.loads(line) for line in out.getvalue().splitlines()[:60]]


@pytest.mark.db
@budget(ci=30, long=10_000)
@given(data=st.data())
def test_diff(export_lines: list[Any], tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    counted("kg diff: odd export lines")
    folder = tmp_path_factory.mktemp("diff")
    old, new = folder / "old.jsonl", folder / "new.jsonl"
    old.write_text("".join(json.dumps(x) + "\n" for x in export_lines), encoding="utf-8")
    lines = data.draw(mutated(export_lines, max_mutations=4))
    text = "".join(json.dumps(x, default=str) + "\n" for x in lines) if isinstance(lines, list) else json.dumps(
        lines, default=str)
    if data.draw(st.integers(0, 3)) == 0:
        text = data.draw(damaged_text(text) | VALUE.map(lambda v: json.dumps(v, default=str)))
    new.write_text(text, encoding="utf-8", errors="surrogatepass")
    first, second = (old, new) if data.draw(st.booleans()) else (new, old)
    proc = run_kg("diff", str(first), str(second), "--format", data.draw(st.sampled_from(["table", "json", "csv"])))
    assert_clean(proc, names=(str(new),))

