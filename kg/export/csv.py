"""Node and relationship files in `neo4j-admin database import` header format (which also open in a
spreadsheet): what `kg load --bulk` imports, and `kg export --format csv` writes."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from kg.errors import KgError
from kg.graph.db import Database
from kg.graph.records import NodeRecord, Record, RelRecord, records

_CSV_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}
#: neo4j-admin's default `;` is common in quoted prose; the broken bar is not, and shows in a spreadsheet
ARRAY_DELIMITER = "\u00a6"


def _csv_type(value: Any) -> str:
    if isinstance(value, list):
        inner = {_csv_type(v) for v in value} or {"string"}
        return (inner.pop() if len(inner) == 1 else "string") + "[]"
    return _CSV_TYPES.get(type(value), "string")


def _csv_cell(value: Any, kind: str) -> str:
    """A cell's text; an array's items joined by ARRAY_DELIMITER."""
    if kind == "string" and type(value) is str:  # most cells: as they are
        return value
    if value is None:
        return ""
    if kind.endswith("[]"):
        inner = kind[:-2]
        values = value if isinstance(value, list) else [value]
        items = values if inner == "string" and all(type(v) is str for v in values) else [
            _csv_cell(v, inner) for v in values]
        text = ARRAY_DELIMITER.join(items)
        if text.count(ARRAY_DELIMITER) != max(len(items) - 1, 0):
            raise KgError(f"a list value contains the CSV array delimiter {ARRAY_DELIMITER!r}: "
                          f"{[i for i in items if ARRAY_DELIMITER in i][:3]!r}")
        return text
    if kind == "boolean":
        return "true" if value else "false"
    return str(value)


_CSV_SPECIAL = re.compile(r'[,"\r\n]')


def _write_row(out: IO[str], cells: Iterable[str]) -> bool:
    """One CSV row as csv.writer writes it (comma, `"` quotes only where needed, `""` inside them,
    `\n` line ends), in one write. True when a field holds a line break."""
    broken = False
    parts = []
    for cell in cells:
        if _CSV_SPECIAL.search(cell):
            broken = broken or "\n" in cell or "\r" in cell
            cell = '"' + cell.replace('"', '""') + '"'
        parts.append(cell)
    out.write(",".join(parts) + "\n")
    return broken


def _csv_types(items: Iterable[Record]) -> dict[str, dict[str, str]]:
    """Per file (node label set or relationship type): property -> neo4j-admin type. A key whose
    values have different types is text; an empty list says only that the key is an array."""
    files: dict[str, dict[str, str]] = {}
    from_empty: set[tuple[str, str]] = set()
    for record in items:
        name = _csv_file(record)
        types = files.setdefault(name, {})
        for key, value in record.props.items():
            if value is None:
                continue
            old = types.get(key)
            if old == "string" and type(value) is str:  # the common case, and nothing to change
                continue
            if old == "string[]" and (name, key) not in from_empty:  # text arrays stay text arrays
                continue
            kind = _csv_type(value)
            if isinstance(value, list) and not value:
                if old is None:
                    types[key] = kind
                    from_empty.add((name, key))
                continue
            if old is None or (name, key) in from_empty:
                types[key] = kind
                from_empty.discard((name, key))
            elif old != kind:
                types[key] = "string[]" if old.endswith("[]") or kind.endswith("[]") else "string"
    return files


def _csv_file(record: Record) -> str:
    if isinstance(record, NodeRecord):
        return "nodes_" + "_".join(label for label in record.labels if label != "Entity") or "nodes"
    return "rels_" + record.type


def write_csv(source: Callable[[], Iterable[Record]], folder: Path,
              multiline: set[str] | None = None) -> dict[str, int]:
    """One CSV file per node label set and per relationship type, headers in neo4j-admin's format:
    `id:ID`, `:LABEL`, `name:string`, `aliases:string[]` (arrays joined by ARRAY_DELIMITER: import with
    `--array-delimiter=¦`), `:START_ID`, `:END_ID`, `:TYPE`. `source` is called twice: once for the
    column types, once for the rows.
    Returns rows written per file; `multiline`, when given, gets the names of the files with a field
    that holds a line break (neo4j-admin parses only those slowly, line by line)."""
    types = _csv_types(source())
    headers: dict[str, list[tuple[str, str]]] = {f: sorted(t.items()) for f, t in types.items()}
    writers: dict[str, IO[str]] = {}
    handles: list[IO[str]] = []
    handle: IO[str]
    counts: dict[str, int] = {}
    try:
        for record in source():
            name = _csv_file(record)
            if name not in writers:
                handle = (folder / f"{name}.csv").open("w", encoding="utf-8", newline="")
                handles.append(handle)
                cols = [f"{k}:{t}" if k != "id" or isinstance(record, RelRecord) else "id:ID" for k, t in headers[name]]
                if isinstance(record, NodeRecord):
                    _write_row(handle, [*cols, ":LABEL"])
                else:
                    _write_row(handle, [":START_ID", ":END_ID", ":TYPE", *cols])
                writers[name] = handle
                counts[name] = 0
            cells = [_csv_cell(record.props.get(k), t) for k, t in headers[name]]
            if isinstance(record, NodeRecord):
                broken = _write_row(writers[name], [*cells, ARRAY_DELIMITER.join(record.labels)])
            else:
                broken = _write_row(writers[name], [str(record.start), str(record.end), record.type, *cells])
            if broken and multiline is not None:
                multiline.add(name)
            counts[name] += 1
    finally:
        for handle in handles:
            handle.close()
    return counts


def write(db: Database, folder: Path) -> int:
    return sum(write_csv(lambda: records(db), folder).values())
