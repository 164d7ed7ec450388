"""Getting the graph out, in the formats its users' tools read (docs/interop.md).

- `jsonl`: kg's canonical form, one sorted-key JSON line per node and relationship (the same graph
  always gives the same text; `kg diff` compares two of them);
- `graphml` and `gexf`: for networkx and Gephi; every property an attribute, lists as JSON text;
- `csv`: node and relationship files in `neo4j-admin database import` header format, which also
  open in a spreadsheet;
- `ftm`: FollowTheMoney entities (kg/ftm.py).

Every writer takes records as they stream from the database (or from any iterable of records,
such as a validated seed), so memory does not grow with the graph, and writes to a temporary file
or folder that is renamed into place only when complete: a failed export leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesImpl

from kg.db import Database
from kg.errors import KgError, UsageError
from kg.schema import DERIVED, LOAD_LABEL

FORMATS = ("jsonl", "graphml", "gexf", "csv", "ftm")


@dataclass(frozen=True)
class NodeRecord:
    labels: list[str]
    props: dict[str, Any]


@dataclass(frozen=True)
class RelRecord:
    type: str
    start: str
    end: str
    props: dict[str, Any]


Record = NodeRecord | RelRecord


def records(db: Database) -> Iterator[Record]:
    """Every node, then every relationship, streamed in a stable order (nodes by id, relationships
    by type, ends and key)."""
    with db.errors(), db.driver.session(database=db.settings.database, fetch_size=2000) as session:
        for row in session.run(f"MATCH (n) WHERE NOT n:{LOAD_LABEL} RETURN labels(n) AS labels, properties(n) AS props "
                               "ORDER BY n.id, elementId(n)"):
            yield NodeRecord(sorted(row["labels"]), row["props"])
        for row in session.run("MATCH (a)-[r]->(b) RETURN type(r) AS type, a.id AS start, b.id AS end, "
                               "properties(r) AS props ORDER BY type, start, end, r.key, elementId(r)"):
            yield RelRecord(row["type"], row["start"], row["end"], row["props"])


def canonical_line(record: Record) -> str:
    if isinstance(record, NodeRecord):
        value = {"node": record.labels, **record.props}
    else:
        value = {"rel": record.type, "from": record.start, "to": record.end, **record.props}
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def canonical(db: Database) -> list[str]:
    """One sorted JSON line per node (labels, properties) and per relationship (type, ends by id,
    properties): the same graph always gives the same list."""
    return sorted(canonical_line(r) for r in records(db))


def source_details(db: Database, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Title, publisher, publication date (as precise as known) and URL of the sources `ids`."""
    rows = db.read("MATCH (s:Source) WHERE s.id IN $ids "
                   "OPTIONAL MATCH (s)-[:PUBLISHED_BY]->(p) "
                   "RETURN s.id AS id, s.title AS title, p.name AS publisher, s.published AS published, "
                   "s.url AS url", {"ids": sorted(set(ids))})
    return {r["id"]: {k: v for k, v in r.items() if k != "id" and v is not None} for r in rows}


def cited(rows: Iterable[dict[str, Any]]) -> set[str]:
    """The source ids an answer's rows cite (in their `sources` column)."""
    found: set[str] = set()
    for row in rows:
        value = row.get("sources")
        if isinstance(value, list):
            found.update(str(v) for v in value)
    return found


# --- writing safely ------------------------------------------------------------------------------

@contextmanager
def _atomic_file(path: Path) -> Iterator[IO[str]]:
    """A text file written beside `path` and renamed onto it only when the block succeeds."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise KgError(f"cannot write {path}: folder {folder} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as e:
        raise KgError(f"cannot write {path}: {e.strerror or e}") from e
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            yield f
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def _atomic_dir(path: Path) -> Iterator[Path]:
    """A folder built beside `path` and renamed onto it only when the block succeeds; an existing
    folder is replaced only if it holds nothing but kg's CSV files."""
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise KgError(f"cannot write {path}: folder {parent} does not exist")
    if path.exists() and (not path.is_dir() or any(p.suffix != ".csv" for p in path.iterdir())):
        raise KgError(f"{path} exists and is not a folder of kg's CSV files; choose a new folder")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=parent))
    except OSError as e:
        raise KgError(f"cannot write {path}: {e.strerror or e}") from e
    try:
        yield tmp
        if path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


# --- jsonl -----------------------------------------------------------------------------------------

def write_jsonl(items: Iterable[Record], out: IO[str]) -> int:
    count = 0
    for record in items:
        out.write(canonical_line(record) + "\n")
        count += 1
    return count


# --- GraphML and GEXF ------------------------------------------------------------------------------

def _xml_value(value: Any) -> str:
    """Lists and maps as JSON text (GraphML and GEXF attributes hold one scalar each)."""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    return "string"


def _attribute_types(db: Database | None, items: list[Record] | None) -> tuple[dict[str, str], dict[str, str]]:
    """Every node and relationship property key with its GraphML type (a key with mixed types is text)."""
    node_types: dict[str, str] = {}
    rel_types: dict[str, str] = {}

    def note(types: dict[str, str], props: dict[str, Any]) -> None:
        for key, value in _facts(props).items():
            kind = _xml_type(value)
            types[key] = kind if types.get(key, kind) == kind else "string"

    for record in (records(db) if db is not None else items or []):
        note(node_types if isinstance(record, NodeRecord) else rel_types, record.props)
    return node_types, rel_types


def write_graphml(db: Database, out: IO[str]) -> int:
    """GraphML that networkx and Gephi read. Labels are the `labels` attribute (`Entity:PoliceAgency`)
    and `kind` (the label Gephi can colour by); the relationship type is `type`."""
    node_types, rel_types = _attribute_types(db, None)  # a first pass: GraphML declares keys up front
    xml = XMLGenerator(cast(Any, out), "utf-8", short_empty_elements=True)  # a text stream works
    xml.startDocument()
    _start(xml, "graphml", {"xmlns": "http://graphml.graphdrawing.org/xmlns"})
    node_keys = {"labels": "string", "kind": "string", **node_types}
    edge_keys = {"type": "string", **rel_types}
    ids: dict[tuple[str, str], str] = {}
    for scope, keys in (("node", node_keys), ("edge", edge_keys)):
        for i, (name, kind) in enumerate(sorted(keys.items())):
            ids[(scope, name)] = f"{scope[0]}{i}"
            _start(xml, "key", {"id": f"{scope[0]}{i}", "for": scope, "attr.name": name, "attr.type": kind})
            xml.endElement("key")
    _start(xml, "graph", {"id": "kg", "edgedefault": "directed"})
    count = 0
    for record in records(db):
        if isinstance(record, NodeRecord):
            data = {"labels": ":".join(record.labels), "kind": _kind(record.labels), **_facts(record.props)}
            _start(xml, "node", {"id": str(record.props.get("id"))})
            scope = "node"
        else:
            data = {"type": record.type, **_facts(record.props)}
            _start(xml, "edge", {"source": str(record.start), "target": str(record.end)})
            scope = "edge"
        for name, value in data.items():
            if value is None:
                continue
            _start(xml, "data", {"key": ids[(scope, name)]})
            xml.characters(_xml_value(value))
            xml.endElement("data")
        xml.endElement(scope)
        count += 1
    xml.endElement("graph")
    xml.endElement("graphml")
    xml.endDocument()
    return count


_GEXF_TYPES = {"string": "string", "long": "long", "double": "double", "boolean": "boolean"}


def write_gexf(db: Database, out: IO[str]) -> int:
    """GEXF 1.2 for Gephi (and networkx): nodes labelled by name, with `kind` to colour by; edges
    labelled by type; every property an attribute, lists as JSON text."""
    node_types, rel_types = _attribute_types(db, None)
    node_keys = {"labels": "string", "kind": "string", **node_types}
    # a relationship's `key` is its GEXF edge id (`TYPE:key`): networkx reads edge ids as keys
    edge_keys = {"type": "string", **{k: v for k, v in rel_types.items() if k != "key"}}
    xml = XMLGenerator(cast(Any, out), "utf-8", short_empty_elements=True)  # a text stream works
    xml.startDocument()
    _start(xml, "gexf", {"xmlns": "http://www.gexf.net/1.2draft", "version": "1.2"})
    _start(xml, "graph", {"defaultedgetype": "directed", "mode": "static"})
    ids: dict[tuple[str, str], str] = {}
    for scope, keys in (("node", node_keys), ("edge", edge_keys)):
        _start(xml, "attributes", {"class": scope})
        for i, (name, kind) in enumerate(sorted(keys.items())):
            ids[(scope, name)] = str(i)
            _start(xml, "attribute", {"id": str(i), "title": name, "type": _GEXF_TYPES[kind]})
            xml.endElement("attribute")
        xml.endElement("attributes")
    count = 0
    nodes_open = edges_open = False
    for n, record in enumerate(records(db)):
        if isinstance(record, NodeRecord):
            if not nodes_open:
                _start(xml, "nodes", {})
                nodes_open = True
            data = {"labels": ":".join(record.labels), "kind": _kind(record.labels), **_facts(record.props)}
            _start(xml, "node", {"id": str(record.props.get("id")), "label": str(record.props.get("name", ""))})
            scope = "node"
        else:
            if nodes_open:
                xml.endElement("nodes")
                nodes_open = False
            if not edges_open:
                _start(xml, "edges", {})
                edges_open = True
            data = {"type": record.type, **{k: v for k, v in _facts(record.props).items() if k != "key"}}
            edge_id = f"{record.type}:{record.props['key']}" if record.props.get("key") else f"e{n}"
            _start(xml, "edge", {"id": edge_id, "source": str(record.start), "target": str(record.end),
                                      "label": record.type})
            scope = "edge"
        _start(xml, "attvalues", {})
        for name, value in data.items():
            if value is not None:
                _start(xml, "attvalue", {"for": ids[(scope, name)], "value": _xml_value(value)})
                xml.endElement("attvalue")
        xml.endElement("attvalues")
        xml.endElement(scope)
        count += 1
    if nodes_open:
        xml.endElement("nodes")
    if edges_open:
        xml.endElement("edges")
    xml.endElement("graph")
    xml.endElement("gexf")
    xml.endDocument()
    return count


def _facts(props: dict[str, Any]) -> dict[str, Any]:
    """The properties for people's tools: without those derived for kg's indexes."""
    return {k: v for k, v in props.items() if k not in DERIVED}


def _start(xml: XMLGenerator, name: str, attrs: dict[str, str]) -> None:
    xml.startElement(name, AttributesImpl(attrs))  # attribute values are escaped by XMLGenerator


def _kind(labels: list[str]) -> str:
    """The label a node is drawn and coloured by: its first one that is not the base label."""
    return next((label for label in labels if label != "Entity"), labels[0] if labels else "")


# --- neo4j-admin CSV ---------------------------------------------------------------------------------

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


# --- one entry point -----------------------------------------------------------------------------------

def export(db: Database, fmt: str, out: Path | None, stdout: IO[str] | None = None) -> str:
    """Write the graph as `fmt` to `out` (a file; a folder for `csv`), or to `stdout` for jsonl and
    ftm when `out` is None. Returns a one-line summary."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "csv":
        if out is None:
            raise UsageError("the csv export writes a folder of files: give --out FOLDER")
        with _atomic_dir(out) as tmp:
            counts = write_csv(lambda: records(db), tmp)
        return f"wrote {sum(counts.values())} rows in {len(counts)} files to {out}/"
    if fmt in ("graphml", "gexf") and out is None:
        raise UsageError(f"the {fmt} export writes a file: give --out FILE")

    def write(handle: IO[str]) -> int:
        if fmt == "jsonl":
            return write_jsonl(records(db), handle)
        if fmt == "graphml":
            return write_graphml(db, handle)
        if fmt == "gexf":
            return write_gexf(db, handle)
        from kg.ftm import write_ftm

        return write_ftm(records(db), handle)

    if out is None:
        assert stdout is not None
        count = write(stdout)
        return f"exported {count} {'entities' if fmt == 'ftm' else 'records'}"
    with _atomic_file(out) as handle:
        count = write(handle)
    return f"wrote {count} {'entities' if fmt == 'ftm' else 'records'} to {out}"
