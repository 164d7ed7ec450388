"""`kg import sheet`: rows of kg's spreadsheet layout (kg/seed/sheet.py) become seed files.

A row of sheet Sources becomes `sources/<id>.yaml`, with the facts that cite it (a node row or a
relationship row whose `source` is its id) under `nodes:` and `relations:`; node rows without a
source are actors of a registry, `actors/<workbook>.yaml`. Nothing is written unless all of it
validates, together with the seed folder it goes into (kg/seed/validate.py, every quote checked
against its source's pinned text), and no file is overwritten. A problem names the sheet, the row
and the column it comes from, as `file:line` names a place in a seed file.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import KgError, UsageError, ValidationFailed
from kg.graph.schema import NodeKind
from kg.seed.curate import schema_line, slug
from kg.seed.emit import yaml_text
from kg.seed.model import ID_PATTERN
from kg.seed.reader import Path_, ReadError, parse
from kg.seed.sheet import LISTS, SOURCES, Layout, Sheet, layout, write_template
from kg.seed.sheet_read import Table, read_cell, read_tables, rows_of
from kg.seed.texts import Texts
from kg.seed.validate import validate

_ID = re.compile(ID_PATTERN)
WHERE = "in the sheets"


@dataclass(frozen=True)
class Cell:
    """Where a value of the seed came from."""

    table: Table
    row: int
    column: str | None = None

    def __str__(self) -> str:
        return self.table.where(self.row, self.column)


@dataclass
class Planned:
    """A seed file to write: its data, and the cell each of its values comes from."""

    rel: Path  # under the seed folder
    data: dict[str, Any]
    origin: Cell
    cells: dict[Path_, Cell] = field(default_factory=dict)
    lines: dict[int, Path_] = field(default_factory=dict)
    text: str = ""

    def cell_of_line(self, line: int) -> Cell:
        """The cell whose value is written at `line` of this file's YAML (`text`), before it was read
        back: the one whose value that line holds, else the row's."""
        lines = self.text.splitlines()
        written = lines[line - 1] if 0 < line <= len(lines) else ""
        for path, cell in self.cells.items():
            value: Any = self.data
            for part in path:
                if isinstance(value, dict):
                    value = value.get(part)
                elif isinstance(value, list) and isinstance(part, int) and part < len(value):
                    value = value[part]
                else:
                    value = None
            if isinstance(value, str) and value and value[:40] in written:
                return cell
        return self.origin

    def cell_at(self, line: int) -> Cell:
        path = self.lines.get(line)
        while path is not None:
            if path in self.cells:
                return self.cells[path]
            path = path[:-1] if path else None
        return self.origin


@dataclass
class Imported:
    files: list[Path]
    sources: int
    nodes: int
    relations: int
    actors: int

    @property
    def quotes(self) -> int:
        """The quotes of the facts written, each found in its source's text (every fact has one)."""
        return self.nodes + self.relations


class _Reader:
    """Rows to seed declarations, with the problems found on the way."""

    def __init__(self, sheets: Layout) -> None:
        self.layout = sheets
        self.problems: list[str] = []
        self.sources: dict[str, Planned] = {}
        self.source_rows: dict[str, Cell] = {}
        self.registry: list[tuple[dict[str, Any], dict[Path_, Cell], Cell]] = []

    def problem(self, cell: Cell | Table, message: str) -> None:
        where = str(cell) if isinstance(cell, Cell) else cell.where()
        self.problems.append(f"{where}: {message}")

    # --- a sheet's header ---------------------------------------------------------------------------
    def sheet_of(self, table: Table) -> Sheet | None:
        sheet = self.layout.sheet(table.name)
        if sheet is None:
            names = ", ".join(f"{s}.csv" for s in list(self.layout.sheets)[:3])
            if table.csv:
                self.problems.append(f"{table.file}: a CSV file is one sheet, named by its file ({names} ...); "
                                     f"{table.name!r} is no sheet of kg's layout")
            else:
                self.problem(table, f"not a sheet of kg's layout (Sources, a kind of node such as Statement, or a "
                                    f"relationship type such as USED){_closest(table.name, list(self.layout.sheets))}")
            return None
        ok = True
        seen: set[str] = set()
        width = max([len(table.header), *(len(cells) for _, cells in table.rows)])
        for i in range(width):
            head = table.header[i] if i < len(table.header) else None
            name = str(head).strip() if head is not None else ""
            if not name:
                if any(i < len(cells) and cells[i] not in (None, "") for _, cells in table.rows):
                    self.problem(table, f"column {i + 1} holds values but has no name in row 1")
                    ok = False
                continue
            if name in seen:
                self.problem(table, f"column {name} appears twice in row 1")
                ok = False
            seen.add(name)
            if sheet.column(name) is None:
                known = ", ".join(c.name for c in sheet.columns)
                self.problem(table, f"column {name}: not a column of sheet {sheet.name}"
                                    f"{_closest(name, [c.name for c in sheet.columns])} (its columns: {known})")
                ok = False
        for column in sheet.columns:
            if column.required and column.name not in seen:
                self.problem(table, f"no column {column.name}, which every row of sheet {sheet.name} needs")
                ok = False
        return sheet if ok else None

    def cells(self, table: Table, sheet: Sheet, row: int, raw: dict[str, Any]) -> dict[str, Any] | None:
        """A row's cells read by their columns' kinds; None after a problem."""
        out: dict[str, Any] = {}
        ok = True
        for name, value in raw.items():
            column = sheet.column(name)
            assert column is not None  # the header was checked
            if column.info:
                continue
            try:
                read = read_cell(column, value)
            except ValueError as e:
                self.problem(Cell(table, row, name), str(e))
                ok = False
                continue
            if read != "" and read != []:
                out[name] = read
        for column in sheet.columns:
            if column.required and column.name not in out and ok:
                self.problem(Cell(table, row, column.name), f"empty: every row of sheet {sheet.name} needs a "
                                                            f"{column.name}")
                ok = False
        return out if ok else None

    # --- rows -------------------------------------------------------------------------------------
    def source(self, table: Table, sheet: Sheet, row: int, values: dict[str, Any], texts: Texts) -> None:
        sid = values["id"]
        at = Cell(table, row, "id")
        if not _ID.fullmatch(sid):
            self.problem(at, f"{sid!r} is not an id (lower-case letters, digits and '-')")
            return
        if sid in self.source_rows:
            self.problem(at, f"source {sid!r} is also {self.source_rows[sid]}")
            return
        self.source_rows[sid] = at
        meta: dict[str, Any] = {"id": sid}
        cells: dict[Path_, Cell] = {("source",): at, ("source", "id"): at}
        for key in ("title", "headline", "publisher", "authors"):
            if key in values:
                meta[key] = values[key]
                cells[("source", key)] = Cell(table, row, key)
        meta.setdefault("authors", [])
        meta["published"] = self.date(table, row, values, "published", ("source",), cells)
        if "text" not in values:
            self.problem(Cell(table, row, "text"), "empty: the article's file in the texts folder, which every "
                                                   "quote of the source is checked against")
            return
        file = values["text"]
        pinned = {k: values[f"text_{k}"] for k in ("sha256", "length") if f"text_{k}" in values}
        try:
            present = texts.has(file)
        except ValueError as e:
            self.problem(Cell(table, row, "text"), str(e))
            return
        if present and len(pinned) < 2:
            pin = texts.pin(file)
            pinned = {"sha256": pin.sha256, "length": pin.length, **pinned}
        meta["text"] = {"file": file, **pinned} if pinned else file
        cells[("source", "text")] = Cell(table, row, "text")
        for key in ("sha256", "length"):
            cells[("source", "text", key)] = Cell(table, row, f"text_{key}")
        for key in ("url", "language", "confidence", "note"):
            if key in values:
                meta[key] = values[key]
                cells[("source", key)] = Cell(table, row, key)
        data: dict[str, Any] = {"source": meta, "nodes": [], "relations": []}
        if values.get("mentions"):
            data["mentions"] = values["mentions"]
            cells[("mentions",)] = Cell(table, row, "mentions")
        self.sources[sid] = Planned(Path("sources") / f"{sid}.yaml", data, at, cells)

    def date(self, table: Table, row: int, values: dict[str, Any], key: str, at: Path_,
             cells: dict[Path_, Cell]) -> Any:
        """A date's value, or {value, as_written, note} when its words or note are given."""
        words = {k: values[f"{key}_{k}"] for k in ("as_written", "note") if f"{key}_{k}" in values}
        for k in words:
            cells[(*at, key, k)] = Cell(table, row, f"{key}_{k}")
        cells[(*at, key)] = cells[(*at, key, "value")] = Cell(table, row, key)
        if key not in values:
            if words:
                self.problem(Cell(table, row, f"{key}_{next(iter(words))}"),
                             f"the words of a date need the date itself, in column {key}")
            return None
        return {"value": values[key], **words} if words else values[key]

    def props(self, table: Table, sheet: Sheet, row: int, values: dict[str, Any], at: Path_,
              cells: dict[Path_, Cell]) -> dict[str, Any]:
        assert sheet.kind is not None
        out: dict[str, Any] = {}
        for name, prop in sheet.kind.props.items():
            if prop.type == "date":
                value = self.date(table, row, values, name, at, cells)
                if value is not None:
                    out[name] = value
            elif name in values:
                out[name] = values[name]
                cells[(*at, name)] = Cell(table, row, name)
        return out

    def cited(self, table: Table, row: int, values: dict[str, Any], fact: str) -> Planned | None:
        """The planned file of the row's source, once its citation is complete; None after a problem."""
        source = values.get("source")
        if source is None:
            missing = [k for k in ("quote", "confidence") if k in values]
            self.problem(Cell(table, row, "source"), f"empty: {fact} needs the source that says it (an id of "
                                                     "sheet Sources)" + (f", for its {' and '.join(missing)}"
                                                                         if missing else ""))
            return None
        planned = self.sources.get(source)
        if planned is None:
            self.problem(Cell(table, row, "source"), f"{source!r} is not a row of sheet Sources: a sheet adds "
                                                     "sources with their facts (to add a fact to a source of the "
                                                     "seed: kg fact add)")
            return None
        for key, what in (("quote", "the source's words"), ("confidence", "high, medium or low")):
            if key not in values:
                self.problem(Cell(table, row, key), f"empty: a fact needs its {key} ({what})")
                return None
        return planned

    def node(self, table: Table, sheet: Sheet, row: int, values: dict[str, Any]) -> None:
        assert isinstance(sheet.kind, NodeKind)
        actor = sheet.kind.is_actor
        cited = "source" in values or "quote" in values or "confidence" in values or not actor
        planned = self.cited(table, row, values, "a quote" if actor else f"a {sheet.name} (a fact)") if cited else None
        if cited and planned is None:
            return
        if planned is not None:
            at: Path_ = ("nodes", len(planned.data["nodes"]))
            cells = planned.cells
        else:
            at, cells = ("actors", len(self.registry)), {}
        entry: dict[str, Any] = {"id": values["id"], "label": sheet.name, "name": values["name"]}
        cells[at] = cells[(*at, "id")] = Cell(table, row, "id")
        cells[(*at, "label")] = Cell(table, row)
        cells[(*at, "name")] = Cell(table, row, "name")
        if "aliases" in values:
            entry["aliases"] = values["aliases"]
            cells[(*at, "aliases")] = Cell(table, row, "aliases")
        entry.update(self.props(table, sheet, row, values, at, cells))
        if planned is not None:
            entry.update(quote=values["quote"], confidence=values["confidence"])
            cells[(*at, "quote")] = Cell(table, row, "quote")
            cells[(*at, "confidence")] = Cell(table, row, "confidence")
            planned.data["nodes"].append(entry)
        else:
            self.registry.append((entry, cells, Cell(table, row, "id")))

    def relation(self, table: Table, sheet: Sheet, row: int, values: dict[str, Any]) -> None:
        planned = self.cited(table, row, values, f"a {sheet.name} relationship")
        if planned is None:
            return
        at: Path_ = ("relations", len(planned.data["relations"]))
        cells = planned.cells
        entry: dict[str, Any] = {"type": sheet.name, "from": values["from"], "to": values["to"]}
        cells[at] = cells[(*at, "type")] = Cell(table, row, "from")
        for key in ("from", "to", "id"):
            cells[(*at, key)] = Cell(table, row, key)
        if "id" in values:
            entry["id"] = values["id"]
        entry.update(self.props(table, sheet, row, values, at, cells))
        entry.update(quote=values["quote"], confidence=values["confidence"])
        cells[(*at, "quote")] = Cell(table, row, "quote")
        cells[(*at, "confidence")] = Cell(table, row, "confidence")
        planned.data["relations"].append(entry)


def _closest(word: str, choices: list[str]) -> str:
    from rapidfuzz import process

    found = process.extractOne(word, choices, score_cutoff=70)
    return f" (did you mean {found[0]}?)" if found else ""


def plan(paths: list[Path], texts: Texts, registry_name: str | None = None,
         sheets: Layout | None = None) -> list[Planned]:
    """The seed files the rows of `paths` make (ValidationFailed naming sheet, row and column)."""
    sheets = sheets or layout()
    reader = _Reader(sheets)
    tables = [t for p in paths for t in read_tables(p)]
    checked = [(t, s) for t in tables if t.name != LISTS and (s := reader.sheet_of(t)) is not None]
    order = {"source": 0, "node": 1, "rel": 2}
    for table, sheet in sorted(checked, key=lambda ts: order[ts[1].what]):  # sources first: facts cite them
        for row, raw in rows_of(table):
            values = reader.cells(table, sheet, row, raw)
            if values is None:
                continue
            if sheet.what == "source":
                reader.source(table, sheet, row, values, texts)
            elif sheet.what == "node":
                reader.node(table, sheet, row, values)
            else:
                reader.relation(table, sheet, row, values)
    if not reader.problems and not reader.sources and not reader.registry:
        reader.problems.append(f"{', '.join(p.name for p in paths)}: no rows (below a header row) in any sheet of "
                               f"kg's layout ({SOURCES}, the kinds of node, the relationship types)")
    if reader.problems:
        raise ValidationFailed(reader.problems, WHERE)
    planned = list(reader.sources.values())
    if reader.registry:
        name = registry_name or slug(paths[0].stem, 8, "sheet")
        entries = [entry for entry, _, _ in reader.registry]
        registry = Planned(Path("actors") / f"{name}.yaml", {"actors": entries}, reader.registry[0][2])
        for entry_cells in (cells for _, cells, _ in reader.registry):
            registry.cells.update(entry_cells)
        planned.append(registry)
    return planned


# --- writing the files -------------------------------------------------------------------------

def _render(planned: Planned, seed_dir: Path, tables: str) -> None:
    comments = [schema_line(seed_dir / planned.rel, seed_dir.parent),
                f"# written by kg import sheet from {tables}"]
    planned.text = yaml_text(planned.data, comments)
    try:
        doc = parse(planned.text, str(planned.rel))
    except ReadError as e:  # what a cell holds is more than a seed file may (found by tests/fuzz: brackets)
        raise ValidationFailed([f"{planned.cell_of_line(e.problem.line)}: {e.problem.message}, "
                                "more than a seed file may hold"], WHERE) from None
    assert doc.data == planned.data, "kg import sheet wrote YAML that reads back otherwise"
    for path, line in doc.lines.items():
        if len(path) >= len(planned.lines.get(line, ())):
            planned.lines[line] = path


_LOC = re.compile(r"^(?:source|nodes|relations|actors|mentions)(?:\[\d+\]|\.[\w-]+)*: ")


def _check(planned: list[Planned], seed_dir: Path, texts: Path) -> None:
    """Validate the seed folder as it would be with the planned files (in a copy): problems in them
    name their cells; problems elsewhere, the real file."""
    with tempfile.TemporaryDirectory(prefix="kg-sheet-") as tmp:
        copy = Path(tmp) / "seed"
        if seed_dir.is_dir():
            shutil.copytree(seed_dir, copy)
        for item in planned:
            target = copy / item.rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(item.text, encoding="utf-8")
        try:
            validate([copy], texts=texts)
        except ValidationFailed as e:
            by_rel = {item.rel.as_posix(): item for item in planned}
            inline = re.compile(re.escape(str(copy)) + r"/([^:\s]+):(\d+)")

            def place(rel: str, line: int) -> str:
                item = by_rel.get(rel)
                if item is None:
                    return f"{seed_dir / rel}:{line}"
                return str(item.cell_at(line))

            out = []
            for problem in e.problems:
                lead = inline.match(problem)
                if lead is None or problem[lead.end():lead.end() + 2] != ": ":
                    out.append(inline.sub(lambda m: place(m[1], int(m[2])), problem))
                    continue
                message = problem[lead.end() + 2:]
                if lead[1] in by_rel:
                    message = _LOC.sub("", message, count=1)
                out.append(f"{place(lead[1], int(lead[2]))}: {inline.sub(lambda m: place(m[1], int(m[2])), message)}")
            raise ValidationFailed(list(dict.fromkeys(out)), WHERE) from None


def import_sheets(paths: list[Path], seed_dir: Path, texts: Path | None, registry_name: str | None = None,
                  sheets: Layout | None = None) -> Imported:
    """Write the seed files the rows of `paths` (.xlsx, .ods, .csv) make into `seed_dir`, once they
    validate with it, every quote found in its source's pinned text; ValidationFailed (each problem
    naming its sheet, row and column) or KgError otherwise, with nothing written."""
    if texts is None:
        raise UsageError("kg import sheet checks every quote against its article: give --texts DIR or set KG_TEXTS")
    planned = plan(paths, Texts(texts), registry_name, sheets)
    problems = []
    for item in planned:
        target = seed_dir / item.rel
        if target.exists():
            problems.append(f"{item.origin}: {target} exists; kg import sheet never overwrites a seed file")
    if problems:
        raise ValidationFailed(problems, WHERE)
    names = ", ".join(p.name for p in paths)
    for item in planned:
        _render(item, seed_dir, names)
    _check(planned, seed_dir, texts)
    written: list[Path] = []
    try:
        for item in planned:
            target = seed_dir / item.rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("x", encoding="utf-8") as f:  # never overwrite, even a file made meanwhile
                written.append(target)
                f.write(item.text)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    sources = [item for item in planned if "source" in item.data]
    nodes = sum(len(item.data["nodes"]) for item in sources)
    relations = sum(len(item.data["relations"]) for item in sources)
    actors = sum(len(item.data.get("actors", [])) for item in planned)
    return Imported(written, len(sources), nodes, relations, actors)


def write_template_file(path: Path, seed_dir: Path | None) -> int:
    """The empty workbook of kg's layout, with drop-down lists (kg/seed/sheet.py's write_template); the
    ids of the actors and facts of `seed_dir` (validated) are the known ids. Never overwrites a file.
    Returns the number of drop-down lists."""
    if path.suffix.lower() != ".xlsx":
        raise UsageError(f"--template {path}: the template is an .xlsx workbook")
    if path.exists():
        raise UsageError(f"{path} exists; kg import sheet --template never overwrites a file (it may hold rows)")
    if not (path.parent if str(path.parent) else Path(".")).is_dir():
        raise KgError(f"cannot write {path}: folder {path.parent} does not exist")
    known: dict[str, str] = {}
    if seed_dir is not None and seed_dir.is_dir() and any(seed_dir.rglob("*.yaml")):
        seed = validate([seed_dir])
        known = {ident: node.label for ident, node in seed.nodes.items()}
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent if str(path.parent) else ".")
    try:
        with os.fdopen(fd, "wb") as f:
            lists = write_template(f, known)
        os.link(tmp, path)  # fails, rather than overwrite, if the file was made meanwhile
    except FileExistsError:  # pragma: no cover
        raise UsageError(f"{path} exists; kg import sheet --template never overwrites a file") from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    return lists
