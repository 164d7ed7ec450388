"""The graph as FollowTheMoney entities (JSON lines), built and validated by the `followthemoney`
library, for OCCRP Aleph and the FtM tools. The mapping, and what FtM cannot express, is the
table in docs/interop.md; `MAPPING` and `LINKS` below are that table.

Provenance: every entity and link made from a fact carries its sources as `proof` (references to
the `Article` entity of each source) and its quotes in `notes` ("quote" — source, confidence);
dates keep their precision (FtM dates are ISO prefixes: 2019, 2019-10, 2019-10-15).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

from kg.graph.db import Database
from kg.graph.records import NodeRecord, Record, RelRecord, records
from kg.graph.schema import PROVENANCE_RELS

#: kg label -> FtM schema, and kg property -> FtM property (text values only)
MAPPING: dict[str, tuple[str, dict[str, str]]] = {
    "PoliceAgency": ("PublicBody", {"jurisdiction": "description", "level": "classification", "note": "notes"}),
    "OversightBody": ("PublicBody", {"jurisdiction": "description", "note": "notes"}),
    "Unit": ("Organization", {"note": "notes"}),
    "Person": ("Person", {"description": "description", "note": "notes"}),
    "Vendor": ("Company", {"note": "notes"}),
    "Product": ("Asset", {"category": "keywords", "description": "description", "note": "notes"}),
    "Organization": ("Organization", {"kind": "classification", "note": "notes"}),
    "Conference": ("Event", {"kind": "keywords", "note": "notes"}),
    "Investigation": ("Event", {"kind": "keywords", "subject": "summary", "status": "keywords", "note": "notes"}),
    "Statement": ("Event", {"stance": "keywords", "medium": "keywords", "summary": "summary", "note": "notes"}),
    "Event": ("Event", {"kind": "keywords", "note": "notes"}),
    "Report": ("Article", {"note": "notes"}),
    "Figure": ("Note", {"unit": "keywords", "qualifier": "keywords", "note": "notes"}),
    "Source": ("Article", {"headline": "summary", "url": "sourceUrl", "language": "language", "note": "notes"}),
}

#: kg relationship type -> FtM interval schema and its (start, end) properties; others are UnknownLink
LINKS: dict[str, tuple[str, str, str]] = {
    "HOLDS_ROLE": ("Membership", "member", "organization"),
    "PART_OF": ("Membership", "member", "organization"),
}
UNKNOWN_LINK = ("UnknownLink", "subject", "object")
#: the provenance relationships kg draws itself: FtM holds them as `proof` and `mentionedEntities`


def _date_props(schema: Any) -> dict[str, str]:
    names = {"date": "date", "start": "startDate", "end": "endDate", "published": "publishedAt"}
    return {k: v for k, v in names.items() if v in schema.properties}


def _cite(proxy: Any, props: dict[str, Any]) -> None:
    """Sources as `proof`; quotes in `notes` (links have no notes in FtM: `summary`)."""
    field = "notes" if "notes" in proxy.schema.properties else "summary"
    for source, quote, confidence in zip(props.get("sources") or [], props.get("quotes") or [],
                                         props.get("confidences") or [], strict=False):
        proxy.add("proof", source)
        proxy.add(field, f"\u201c{quote}\u201d \u2014 {source} (confidence: {confidence})")


def node_entity(record: NodeRecord, model: Any) -> dict[str, Any] | None:
    kind = next((label for label in record.labels if label in MAPPING), None)
    if kind is None:
        return None
    schema_name, props_map = MAPPING[kind]
    proxy = model.make_entity(schema_name)
    proxy.id = record.props["id"]
    p = record.props
    proxy.add("title" if schema_name == "Article" else "name", p.get("title") or p.get("name"))
    if schema_name == "Article":
        proxy.add("name", p.get("name"))
    if "alias" in proxy.schema.properties:
        proxy.add("alias", p.get("aliases") or [])
    for key, target in props_map.items():
        if p.get(key) is not None:
            proxy.add(target, str(p[key]))
    for key, target in _date_props(proxy.schema).items():
        if p.get(key):
            proxy.add(target, p[key])
    if kind == "Figure" and p.get("value") is not None:
        proxy.add("description", f"{p['value']:g} {p.get('unit', '')}".strip())
    _cite(proxy, p)
    return dict(proxy.to_dict())


def link_entity(record: RelRecord, model: Any) -> dict[str, Any] | None:
    if record.type in PROVENANCE_RELS:
        return None
    schema_name, start, end = LINKS.get(record.type, UNKNOWN_LINK)
    proxy = model.make_entity(schema_name)
    proxy.id = f"rel-{record.props.get('key') or f'{record.start}--{record.type}--{record.end}'}"
    proxy.add(start, record.start)
    proxy.add(end, record.end)
    p = record.props
    role = p.get("title") or p.get("role") if record.type == "HOLDS_ROLE" else record.type
    proxy.add("role", role)
    details = {k: v for k, v in p.items() if k in ("mode", "purpose", "kind", "how", "officers", "approved",
                                                  "stopped", "product", "as", "role", "note")}
    if details:
        proxy.add("description", json.dumps(details, ensure_ascii=False, sort_keys=True))
    for key, target in _date_props(proxy.schema).items():
        if p.get(key):
            proxy.add(target, p[key])
    _cite(proxy, p)
    return dict(proxy.to_dict())


def write_ftm(items: Iterable[Record], out: IO[str]) -> int:
    """FtM entities as JSON lines; each one is checked by followthemoney as it is built."""
    from followthemoney import model

    count = 0
    authors: dict[str, list[str]] = {}
    for record in items:
        if isinstance(record, RelRecord) and record.type in ("PUBLISHED_BY", "AUTHORED_BY"):
            authors.setdefault(record.start, []).append(record.end)
            continue
        entity = node_entity(record, model) if isinstance(record, NodeRecord) else link_entity(record, model)
        if entity is None:
            continue
        out.write(json.dumps(entity, sort_keys=True, ensure_ascii=False) + "\n")
        count += 1
    # publishers and authors of sources: FtM's Documentation links an entity to a document
    for source, people in sorted(authors.items()):
        for who in people:
            proxy = model.make_entity("Documentation")
            proxy.id = f"doc-{source}--{who}"
            proxy.add("document", source)
            proxy.add("entity", who)
            proxy.add("role", "publisher or author")
            out.write(json.dumps(dict(proxy.to_dict()), sort_keys=True, ensure_ascii=False) + "\n")
            count += 1
    return count


def write(db: Database, out: IO[str]) -> int:
    return write_ftm(records(db), out)
