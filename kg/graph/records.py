"""The graph as records: every node and relationship as plain values, streamed in a stable order,
and kg's canonical form of them (one sorted-key JSON line each: the same graph always gives the
same text). The exports write records (kg/export/), the seed makes them without a database
(kg/seed/records.py), and `kg diff` and `kg load --dry-run` compare them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kg.graph.db import Database
from kg.graph.schema import DERIVED, LOAD_LABEL


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


def changed_properties(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The properties whose values differ, sorted; derived ones aside: a change of one shows as the change
    of the properties it comes from."""
    return sorted(k for k in {*old, *new} if k not in DERIVED and old.get(k) != new.get(k))
