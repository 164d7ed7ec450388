"""A workbook for people (`kg export --format xlsx`): kg's spreadsheet layout (kg/seed/sheet.py), a
sheet per kind of node and per relationship type, and Sources; a row per node or relationship and
source that cites it, with its ids, names, properties, dates as written, and that source's quote
and confidence. `kg import sheet` reads it back into seed files.

Written as records stream (openpyxl's write-only mode): nodes come before relationships, so the
names at a relationship's ends are known when its row is written; the Sources rows, which need
the provenance relationships (publisher, authors, mentions), are written last.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from kg.graph.db import Database
from kg.graph.records import NodeRecord, Record, records
from kg.graph.schema import BASE_LABEL, SOURCE_LABEL
from kg.seed.sheet import SOURCES, Layout, Sheet, SheetWriter, join_list, layout


@dataclass
class _Source:
    props: dict[str, Any]
    publisher: str | None = None
    authors: set[str] = field(default_factory=set)
    mentions: set[str] = field(default_factory=set)


def _cells(sheet: Sheet, props: dict[str, Any], what: str) -> list[Any]:
    out = []
    for column in sheet.columns:
        value = props.get(column.name)
        if isinstance(value, list):
            value = join_list(value, f"{sheet.name} {what}, column {column.name}") if value else None
        out.append(value)
    return out


def write_xlsx(items: Iterable[Record], out: IO[bytes], sheets: Layout | None = None) -> int:
    """The workbook of `items` (nodes first, as kg/graph/records.py streams them); returns the rows."""
    sheets = sheets or layout()
    writer = SheetWriter()
    for sheet in sheets.sheets.values():
        writer.add(sheet)
    names: dict[str, str] = {}
    sources: dict[str, _Source] = {}
    named: dict[str, set[str]] = defaultdict(set)  # per source, what its facts name: mentioned without saying so
    for record in items:
        if isinstance(record, NodeRecord):
            props = record.props
            label = next((lb for lb in record.labels if lb != BASE_LABEL), None)
            ident = str(props.get("id"))
            names[ident] = str(props.get("name", ""))
            if label == SOURCE_LABEL:
                sources[ident] = _Source(props)
                continue
            node_sheet = sheets.sheets.get(label or "")
            if node_sheet is None or node_sheet.what != "node":
                continue  # not a kind of kg's vocabulary: nothing a load writes
            for cited in _citations(props) or [{}]:
                writer.append(label or "", _cells(node_sheet, {**props, **cited}, ident), ident)
            for source in props.get("sources") or []:
                named[source].add(ident)
            continue
        start, end, props = record.start, record.end, record.props
        if record.type in ("PUBLISHED_BY", "AUTHORED_BY", "MENTIONS") and start in sources:
            src = sources[start]
            if record.type == "PUBLISHED_BY":
                src.publisher = end
            elif record.type == "AUTHORED_BY":
                src.authors.add(end)
            else:
                src.mentions.add(end)
            continue
        rel_sheet = sheets.sheets.get(record.type)
        if rel_sheet is None or rel_sheet.what != "rel":
            continue  # REPORTS (the node rows carry its quote), and no other
        key = props.get("key")
        row = {**props, "id": key if key != f"{start}--{record.type}--{end}" else None, "from": start,
               "from_name": names.get(start), "to": end, "to_name": names.get(end)}
        for cited in _citations(props):
            writer.append(record.type, _cells(rel_sheet, {**row, **cited}, str(key)), str(key))
            named[cited["source"]].update((start, end))
    source_sheet = sheets.sheets[SOURCES]
    for sid, src in sorted(sources.items()):
        props = src.props
        implied = {src.publisher, *src.authors, *named[sid]}
        row = {**props, "publisher": src.publisher, "authors": sorted(src.authors),
               "mentions": sorted(src.mentions - implied)}
        writer.append(SOURCES, _cells(source_sheet, row, sid), sid)
    return writer.save(out)


def _citations(props: dict[str, Any]) -> list[dict[str, Any]]:
    """One per source that cites it: that source, its quote, its confidence."""
    return [{"source": s, "quote": q, "confidence": c} for s, q, c in
            zip(props.get("sources") or [], props.get("quotes") or [], props.get("confidences") or [], strict=True)]


def write(db: Database, out: IO[bytes]) -> int:
    return write_xlsx(records(db), out)
