"""The graph a load of a validated seed writes into an empty database, as export records, without a
database: what `kg load --bulk` hands to neo4j-admin (as kg's CSV export, kg/export/csv.py).

It must stay equal to what kg/seed/loader.py writes (tests/server/test_bulk.py compares the canonical
exports of both): a node is its validated properties (citation lists included) with the labels
`Entity` and its own; a Source also remembers `reports` and `cites`; each source has REPORTS
{quote, confidence} to the facts it cites, MENTIONS to every id it names, PUBLISHED_BY its publisher
and AUTHORED_BY its authors.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kg.graph.records import NodeRecord, Record, RelRecord
from kg.graph.schema import BASE_LABEL, SOURCE_LABEL
from kg.seed.validated import Seed, cited, stored


def _props(props: dict[str, Any]) -> dict[str, Any]:
    """As Neo4j keeps them: `SET n = $map` stores no null."""
    return {k: v for k, v in props.items() if v is not None}


def seed_records(seed: Seed) -> Iterator[Record]:
    """Every node, then every relationship, that `kg load` of `seed` (the whole of it) writes into an
    empty database. `seed` must be self-contained: ids it names but does not declare (`external`)
    have no node here."""
    for src in seed.sources.values():
        cites = sorted({f"{t}|{k}|{seed.rels[k].start}|{seed.rels[k].end}" for t, k in src.rel_keys})
        yield NodeRecord(sorted([BASE_LABEL, SOURCE_LABEL]),
                         {**_props(stored(src.props)), "reports": sorted(src.node_ids), "cites": cites})
    for node in seed.nodes.values():
        yield NodeRecord(sorted({BASE_LABEL, node.label}), _props(stored(node.props)))
    for rel in seed.rels.values():
        yield RelRecord(rel.type, rel.start, rel.end, _props(stored(rel.props)))
    for node in seed.nodes.values():
        for c in cited(node.props):
            yield RelRecord("REPORTS", c.source, node.id, {"quote": c.quote, "confidence": c.confidence})
    for src in seed.sources.values():
        for mention in sorted(src.mentions):
            yield RelRecord("MENTIONS", src.id, mention, {})
        yield RelRecord("PUBLISHED_BY", src.id, src.publisher, {})
        for author in sorted(set(src.authors)):
            yield RelRecord("AUTHORED_BY", src.id, author, {})
