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
it is edited), never a formula. kg/seed/sheet_read.py reads workbooks back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
