"""The spreadsheet layout of the graph, shared by `kg export --format xlsx` (kg/export/xlsx.py) and
`kg import sheet` (kg/seed/sheet_import.py), and the workbook's cells both ways.

The layout comes from the vocabulary (kg/graph/schema.py): a sheet `Sources` (a row per source: its
`source:` block, its publisher, authors and the ids it mentions besides its facts), a sheet per
kind of node and one per relationship type. A node or relationship is a row per source that
cites it (with that source's quote and confidence), so a row is one seed declaration: a row with
no source is an actor of a registry. A column per property, a date as three (`date`,
`date_as_written`, `date_note`); lists in one cell, their items separated by ` | `.

Cells are written as what they are, and text is always text: a value that starts with `=`, `+`,
`-` or `@` is a string cell (marked with a quote prefix, so that a spreadsheet keeps it text when
it is edited), never a formula. Read back, a formula is refused, except TRUE() and FALSE() (which
LibreOffice writes for a boolean cell).
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from kg.errors import KgError
from kg.graph.schema import VOCABULARY, NodeKind, RelKind, Vocabulary

SOURCES = "Sources"
#: the template's hidden sheet of drop-down lists (read by no import)
LISTS = "Lists"
#: the items of a list in one cell
SEPARATOR = " | "
CONFIDENCES = ("high", "medium", "low")
#: what a cell starting with one of these might be taken for by a spreadsheet (a formula, DDE)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: bounds on a workbook read (a zip expands): its bytes unpacked, and its rows
MAX_UNPACKED_BYTES = 512 << 20
MAX_ROWS = 1_000_000


@dataclass(frozen=True)
class Column:
    name: str
    #: how a cell is read: text, id, ids (a list of ids), list (of text), int, float, bool, date, choice
    kind: str = "text"
    choices: tuple[str, ...] = ()
    #: for an id: the labels it may name (the template's drop-down of known ids)
    refers_to: tuple[str, ...] = ()
    required: bool = False
    #: informative only (the names at a relationship's ends): the import reads nothing from it
    info: bool = False
    doc: str = ""


@dataclass(frozen=True)
class Sheet:
    name: str
    what: str  # "source", "node" or "rel"
    columns: tuple[Column, ...]
    kind: NodeKind | RelKind | None = None

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


_KINDS = {"str": "text", "int": "int", "float": "float", "bool": "bool", "str[]": "list"}


def _prop_columns(kind: NodeKind | RelKind) -> list[Column]:
    out = []
    for name, prop in kind.props.items():
        if prop.type == "date":
            out += [Column(name, "date", doc=prop.doc), Column(f"{name}_as_written", doc="the article's words"),
                    Column(f"{name}_note", doc="how the date was resolved")]
        elif prop.choices:
            out.append(Column(name, "choice", prop.choices, doc=prop.doc))
        elif prop.refers_to:
            out.append(Column(name, "id", refers_to=prop.refers_to, doc=prop.doc))
        else:
            out.append(Column(name, _KINDS[prop.type], doc=prop.doc))
    return out


_CITATION = (Column("source", "id", refers_to=("Source",), doc="the id of the source (sheet Sources) that says it"),
             Column("quote", doc="the source's words, verbatim"),
             Column("confidence", "choice", CONFIDENCES, doc="how sure the source is"))


@dataclass(frozen=True)
class Layout:
    vocab: Vocabulary
    sheets: dict[str, Sheet] = field(default_factory=dict)

    def sheet(self, name: str) -> Sheet | None:
        """The sheet of that name, in any case (`statement.csv` is sheet Statement)."""
        return self.sheets.get(name) or next((s for s in self.sheets.values() if s.name.lower() == name.lower()),
                                             None)


def layout(vocab: Vocabulary = VOCABULARY) -> Layout:
    """The sheets of `vocab`'s graph: Sources, then its labels, then its relationship types."""
    published_by = vocab.provenance["PUBLISHED_BY"].targets
    authored_by = vocab.provenance["AUTHORED_BY"].targets
    sheets = [Sheet(SOURCES, "source", (
        Column("id", "id", required=True), Column("title", required=True, doc="the headline, or a description"),
        Column("headline", doc="as printed"),
        Column("publisher", "id", refers_to=published_by, required=True, doc="an actor id (an Organization)"),
        Column("authors", "ids", refers_to=authored_by, doc="actor ids of named reporters"),
        Column("published", "date", required=True), Column("published_as_written", doc="the article's words"),
        Column("published_note", doc="how the date was resolved"),
        Column("text", doc="the article's file in the texts folder"),
        Column("text_sha256", doc="its SHA-256 (filled from the texts folder when empty)"),
        Column("text_length", "int", doc="its length in bytes (filled from the texts folder when empty)"),
        Column("url"), Column("language"),
        Column("confidence", "choice", CONFIDENCES, doc="how sure the publication date is"),
        Column("note", doc="free-text remark by the curator"),
        Column("mentions", "ids", doc="ids the article names that none of its facts refers to"),
    ))]
    for label, node in vocab.nodes.items():
        sheets.append(Sheet(label, "node", (
            Column("id", "id", required=True), Column("name", required=True),
            Column("aliases", "list", doc="other names the articles use, separated by ' | '"),
            *_prop_columns(node), *_CITATION), node))
    for rel_type, rel in vocab.rels.items():
        sheets.append(Sheet(rel_type, "rel", (
            Column("id", "id", doc="only for a second relation with the same ends (default from--TYPE--to)"),
            Column("from", "id", refers_to=rel.sources, required=True),
            Column("from_name", info=True, doc="for reading; the import ignores it"),
            Column("to", "id", refers_to=rel.targets, required=True),
            Column("to_name", info=True, doc="for reading; the import ignores it"),
            *_prop_columns(rel), *_CITATION), rel))
    for sheet in sheets:
        names = [c.name for c in sheet.columns]
        assert len(names) == len(set(names)), f"a property of {sheet.name} has the name of a column of the layout"
    return Layout(vocab, {s.name: s for s in sheets})


# --- writing -------------------------------------------------------------------------------------

def join_list(values: list[Any], what: str) -> str:
    """A list's items in one cell; an item holding the separator cannot be written so."""
    items = [str(v) for v in values]
    bad = [i for i in items if "|" in i]
    if bad:
        raise KgError(f"{what}: the list item {bad[0]!r} holds '|', which separates a cell's items")
    return SEPARATOR.join(items)


class SheetWriter:
    """A workbook written as it streams (openpyxl's write-only mode): each sheet's header bold, frozen
    and filtered; text always a string cell."""

    def __init__(self) -> None:
        from openpyxl import Workbook

        self.workbook = Workbook(write_only=True)
        self.sheets: dict[str, Any] = {}
        self.rows: dict[str, int] = {}
        self.widths: dict[str, list[int]] = {}

    def add(self, sheet: Sheet, hidden: bool = False, columns: list[str] | None = None) -> Any:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        ws = self.workbook.create_sheet(sheet.name)
        names = columns or [c.name for c in sheet.columns]
        if hidden:
            ws.sheet_state = "hidden"
        else:
            ws.freeze_panes = "A2"
            for i, name in enumerate(names, 1):
                ws.column_dimensions[get_column_letter(i)].width = _width(name)
        header = []
        for name in names:
            cell = WriteOnlyCell(ws, value=name)
            cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        self.sheets[sheet.name] = ws
        self.rows[sheet.name] = 1
        self.widths[sheet.name] = [len(names)]
        return ws

    def append(self, name: str, values: list[Any], what: str = "") -> None:
        ws = self.sheets[name]
        ws.append([self.cell(ws, v, what) for v in values])
        self.rows[name] += 1

    @staticmethod
    def cell(ws: Any, value: Any, what: str = "") -> Any:
        """A cell of `value`; text stays text, whatever it starts with."""
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.utils.exceptions import IllegalCharacterError

        if not isinstance(value, str):
            return value
        try:
            cell = WriteOnlyCell(ws, value=value)
        except IllegalCharacterError:
            raise KgError(f"{what or ws.title}: {value[:60]!r} holds a control character a workbook cannot "
                          "hold") from None
        cell.data_type = "s"  # never "f": openpyxl takes a string starting with "=" for a formula
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True  # and a spreadsheet keeps it text when a person edits the cell
        return cell

    def save(self, out: IO[bytes] | Path) -> int:
        """Filters on every visible sheet; returns the rows written (headers aside)."""
        from openpyxl.utils import get_column_letter

        for name, ws in self.sheets.items():
            if ws.sheet_state != "hidden":
                ws.auto_filter.ref = f"A1:{get_column_letter(self.widths[name][0])}{self.rows[name]}"
        self.workbook.save(out)
        return sum(self.rows.values()) - len(self.rows)


def _width(name: str) -> int:
    if name in ("quote", "title", "headline", "summary") or name.endswith(("_note", "note")):
        return 60
    if name in ("name", "from_name", "to_name", "aliases", "mentions") or name.endswith("_as_written"):
        return 36
    if name in ("id", "from", "to", "source", "publisher", "text"):
        return 28
    return 14


# --- the template -----------------------------------------------------------------------------

#: rows of the template that get its drop-downs
TEMPLATE_ROWS = 1000


def write_template(out: IO[bytes] | Path, known: dict[str, str], sheets: Layout | None = None) -> int:
    """The empty workbook of the layout, with drop-down lists: the confidences, each property's
    choices, true/false, the ids of sheet Sources for `source`, and for an id column the `known`
    ids (id -> label) of the labels it may name (a warning, not a refusal, for an id this workbook
    declares). Returns the number of drop-down lists."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    sheets = sheets or layout()
    writer = SheetWriter()
    for sheet in sheets.sheets.values():
        writer.add(sheet)
    id_lists: dict[tuple[str, ...], list[str]] = {}
    validations = 0
    last = TEMPLATE_ROWS
    for sheet in sheets.sheets.values():
        ws = writer.sheets[sheet.name]
        for i, column in enumerate(sheet.columns, 1):
            cells = f"{get_column_letter(i)}2:{get_column_letter(i)}{last}"
            if column.name == "source" and sheet.what != "source":
                dv = DataValidation(type="list", formula1=f"{SOURCES}!$A$2:$A${last}", allow_blank=True,
                                    showErrorMessage=True, errorTitle="Not a source of this workbook",
                                    error="Give the id of a row of sheet Sources.")
            elif column.kind == "choice" or column.kind == "bool":
                choices = column.choices if column.kind == "choice" else ("true", "false")
                dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                                    showErrorMessage=True, errorTitle=f"Not a {column.name}",
                                    error=f"One of: {', '.join(choices)}.")
            elif column.kind == "id" and column.refers_to and column.name != "id":
                ids = sorted(k for k, label in known.items() if label in column.refers_to)
                if not ids:
                    continue
                id_lists.setdefault(column.refers_to, ids)
                at = list(id_lists).index(column.refers_to) + 1
                letter = get_column_letter(at)
                dv = DataValidation(type="list", formula1=f"{LISTS}!${letter}$2:${letter}${len(ids) + 1}",
                                    allow_blank=True, showErrorMessage=True, errorStyle="warning",
                                    errorTitle="Not a known id",
                                    error=f"Not the id of a known {' or '.join(column.refers_to)}; keep it only "
                                          "if this workbook declares it.")
            else:
                continue
            dv.add(cells)
            ws.data_validations.append(dv)
            validations += 1
    # the known ids, a column per set of labels (a list validation reads one range of cells)
    writer.add(Sheet(LISTS, "lists", ()), hidden=True,
               columns=[" or ".join(labels) for labels in id_lists] or ["(no known ids)"])
    columns = list(id_lists.values())
    for row in range(max((len(c) for c in columns), default=0)):
        writer.append(LISTS, [c[row] if row < len(c) else None for c in columns])
    writer.save(out)
    return validations


# --- reading -------------------------------------------------------------------------------------

class Formula(str):
    """A cell that holds a formula (its text): kg reads values, never formulas."""


@dataclass
class Table:
    """One sheet as read: its header and its rows (the row's number in the sheet, its cells)."""

    file: str  # the file's name, as problems name it
    name: str  # the sheet's name
    header: list[Any]
    rows: list[tuple[int, list[Any]]]
    csv: bool = False

    def where(self, row: int | None = None, column: str | None = None) -> str:
        parts = [] if self.csv else [f"sheet {self.name}"]
        if row is not None:
            parts.append(f"row {row}")
        if column is not None:
            parts.append(f"column {column}")
        return f"{self.file}: {', '.join(parts)}" if parts else self.file


def read_tables(path: Path, display: str | None = None) -> list[Table]:
    """The sheets of an .xlsx, an .ods (converted by LibreOffice) or a .csv (one sheet, named by
    the file: `Statement.csv`)."""
    name = display or path.name
    suffix = path.suffix.lower()
    if not path.is_file():
        raise KgError(f"{name}: no such file")
    if suffix == ".csv":
        return [_read_csv(path, name)]
    if suffix == ".ods":
        with tempfile.TemporaryDirectory(prefix="kg-ods-") as tmp:
            return _read_xlsx(convert(path, Path(tmp), "xlsx"), name)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, name)
    raise KgError(f"{name}: not a spreadsheet kg reads (.xlsx, .ods or .csv)")


def _read_csv(path: Path, name: str) -> Table:
    if path.stat().st_size > MAX_UNPACKED_BYTES:
        raise KgError(f"{name}: {path.stat().st_size >> 20} MB, over the {MAX_UNPACKED_BYTES >> 20} MB kg reads")
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
    except UnicodeDecodeError as e:
        raise KgError(f"{name}: not UTF-8 text (byte 0x{e.object[e.start]:02x} at offset {e.start}); save the "
                      "CSV as UTF-8") from None
    except (OSError, csv.Error) as e:
        raise KgError(f"{name}: cannot read: {getattr(e, 'strerror', None) or e}") from None
    if not rows:
        raise KgError(f"{name}: empty; a CSV is one sheet, with its header in the first row")
    if len(rows) > MAX_ROWS:
        raise KgError(f"{name}: over {MAX_ROWS} rows")
    return Table(name, path.stem, rows[0], [(i, [v if v != "" else None for v in r])
                                             for i, r in enumerate(rows[1:], 2) if any(v.strip() for v in r)],
                 csv=True)


def _value(cell: Any) -> Any:
    value = cell.value
    if cell.data_type == "f" or (isinstance(value, str) and cell.data_type != "s" and value.startswith("=")):
        upper = str(value).replace(" ", "").upper()
        if upper in ("=TRUE()", "=TRUE"):
            return True
        if upper in ("=FALSE()", "=FALSE"):
            return False
        return Formula(str(value))
    return value


def _read_xlsx(path: Path, name: str) -> list[Table]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (OSError, zipfile.BadZipFile) as e:
        raise KgError(f"{name}: not a workbook kg can read ({e})") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise KgError(f"{name}: unpacks to {unpacked >> 20} MB, over the {MAX_UNPACKED_BYTES >> 20} MB kg reads")
    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception as e:  # openpyxl raises many kinds for a broken or foreign file
        raise KgError(f"{name}: not a workbook kg can read ({type(e).__name__}: {e})") from None
    tables = []
    try:
        for ws in book.worksheets:
            if ws.title == LISTS:
                continue
            rows: list[tuple[int, list[Any]]] = []
            header: list[Any] | None = None
            for number, cells in enumerate(ws.iter_rows(), 1):
                values = [_value(c) for c in cells]
                if header is None:
                    if any(v is not None for v in values):
                        header = values
                    continue
                if number > MAX_ROWS:
                    raise KgError(f"{name}: sheet {ws.title} has over {MAX_ROWS} rows")
                if any(v is not None and v != "" for v in values):
                    rows.append((number, values))
            if header is not None:
                tables.append(Table(name, ws.title, header, rows))
    finally:
        book.close()
    return tables


def soffice() -> str:
    """LibreOffice's command, or a KgError saying how to get it."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise KgError("reading or writing .ods needs LibreOffice (`soffice`; Debian's libreoffice-calc-nogui); "
                      "or save the sheet as .xlsx")
    return found


def convert(path: Path, folder: Path, to: str, timeout: float = 300) -> Path:
    """`path` converted by LibreOffice, headless, into `folder` (`to`: xlsx, ods); with a profile of
    its own, so that it runs beside a LibreOffice a person has open."""
    profile = Path(tempfile.mkdtemp(prefix="kg-soffice-"))
    try:
        proc = subprocess.run([soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                               "--convert-to", to, "--outdir", str(folder), str(path)],
                              capture_output=True, text=True, timeout=timeout, check=False,
                              env={**os.environ, "HOME": str(profile)})
    except subprocess.TimeoutExpired:
        raise KgError(f"{path.name}: LibreOffice did not convert it within {timeout:.0f}s") from None
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = folder / f"{path.stem}.{to}"
    if proc.returncode != 0 or not out.is_file():
        why = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-1:] or ["no output"]
        raise KgError(f"{path.name}: LibreOffice could not convert it to .{to} ({why[0]})")
    return out


# --- cells to values ---------------------------------------------------------------------------

def text_of(value: Any) -> str:
    """A cell as text: a number as written (3, not 3.0), a date as an ISO date."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def read_cell(column: Column, value: Any) -> Any:
    """A cell's value as seed YAML has it (ValueError saying what is wrong)."""
    if isinstance(value, Formula):
        raise ValueError(f"a formula ({value[:40]}): kg reads values, never formulas; write the value")
    kind = column.kind
    if kind == "text":
        return text_of(value)
    if kind in ("id", "choice"):
        return text_of(value).strip()
    if kind in ("list", "ids"):
        return [item.strip() for item in text_of(value).split("|") if item.strip()]
    if kind == "date":
        if isinstance(value, datetime | date):
            return (value.date() if isinstance(value, datetime) else value).isoformat()
        return text_of(value).strip()
    if kind == "int":
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError(f"{value!r} is not a whole number")
        if isinstance(value, int | float):
            return int(value)
        try:
            return int(str(value).strip())
        except ValueError:
            raise ValueError(f"{value!r} is not a whole number") from None
    if kind == "float":
        if isinstance(value, bool):
            raise ValueError(f"{value!r} is not a number")
        if isinstance(value, int | float):
            return value
        text = str(value).strip()
        try:
            return int(text) if text.lstrip("-").isdigit() else float(text)
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = text_of(value).strip().lower()
        if text in ("true", "yes", "1"):
            return True
        if text in ("false", "no", "0"):
            return False
        raise ValueError(f"{value!r} is not true or false")
    raise AssertionError(kind)  # pragma: no cover


def rows_of(table: Table) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each row as column name -> cell (empty cells left out)."""
    names = [text_of(h).strip() if h is not None else None for h in table.header]
    for number, cells in table.rows:
        yield number, {name: v for name, v in zip(names, cells, strict=False) if name and v is not None and v != ""}
