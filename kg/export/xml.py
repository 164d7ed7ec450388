"""GraphML and GEXF, for networkx and Gephi: every property an attribute (lists as JSON text), without
the properties kg derives for its own indexes."""

from __future__ import annotations

import json
from typing import IO, Any, cast
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesImpl

from kg.graph.db import Database
from kg.graph.records import NodeRecord, Record, records
from kg.graph.schema import DERIVED


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
