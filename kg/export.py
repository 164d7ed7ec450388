"""A canonical export of the graph: the same graph always gives the same text.

Used to prove loads idempotent and bad input harmless (compare before and after), and by
`kg export` for diffing two databases.
"""

from __future__ import annotations

import json
from typing import Any

from kg.db import Database


def canonical(db: Database) -> list[str]:
    """One sorted JSON line per node (labels, properties) and per relationship (type, ends by id, properties)."""
    nodes = db.read("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
    rels = db.read("MATCH (a)-[r]->(b) RETURN type(r) AS type, a.id AS start, b.id AS end, properties(r) AS props")
    lines = [_dump({"node": sorted(n["labels"]), **n["props"]}) for n in nodes]
    lines += [_dump({"rel": r["type"], "from": r["start"], "to": r["end"], **r["props"]}) for r in rels]
    return sorted(lines)


def _dump(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
