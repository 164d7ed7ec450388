"""Finding things in the loaded graph: full-text search, and counts by label and type."""

from __future__ import annotations

import re
from typing import Any

from kg.graph.db import Database, clean
from kg.graph.schema import LOAD_LABEL

_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')
#: words the query parser takes as operators unless written otherwise (the index lower-cases words anyway)
_LUCENE_OPERATORS = {"AND", "OR", "NOT", "TO"}


def search(db: Database, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Full-text search over names, aliases, summaries and quotes, best first. The text is
    matched as words (Lucene syntax is escaped, `OR` is the word "or"), each word also as a prefix."""
    words = [w.lower() if w in _LUCENE_OPERATORS else _LUCENE_SPECIAL.sub(r"\\\1", w) for w in text.split()]
    if not words:
        return []
    terms = " ".join(f"({w} OR {w}*)" if w.isalnum() else w for w in words)
    # names and aliases count more than the words of summaries and quotes
    lucene = f"name:({terms})^4 aliases_text:({terms})^3 summary:({terms}) quotes_text:({terms})"
    rows = db.read(
        "CALL db.index.fulltext.queryNodes('kg_search', $q, {limit: $limit}) YIELD node, score "
        "RETURN 'node' AS kind, [l IN labels(node) WHERE l <> 'Entity'][0] AS label, node.id AS id, "
        "node.name AS name, score, node.aliases AS aliases, node.quotes[0] AS quote, node.sources AS sources "
        "UNION ALL "
        "CALL db.index.fulltext.queryRelationships('kg_search_facts', $facts, {limit: $limit}) "
        "YIELD relationship, score "
        "RETURN 'fact' AS kind, type(relationship) AS label, relationship.key AS id, "
        "startNode(relationship).name + ' ' + type(relationship) + ' ' + endNode(relationship).name AS name, "
        "score, null AS aliases, relationship.quotes[0] AS quote, relationship.sources AS sources",
        {"q": lucene, "facts": f"quotes_text:({terms})", "limit": limit},
    )
    wanted = " ".join(text.lower().split())

    def exact(row: dict[str, Any]) -> bool:  # the text is the thing's name or one of its aliases
        return wanted in [(row["name"] or "").lower(), *(a.lower() for a in row["aliases"] or [])]

    rows.sort(key=lambda r: (not exact(r), -r["score"]))
    return [clean({**r, "score": round(r["score"], 3)}) for r in rows[:limit]]


def stats(db: Database) -> dict[str, dict[str, int]]:
    labels = db.read(f"MATCH (n) WHERE NOT n:{LOAD_LABEL} UNWIND labels(n) AS label "
                     "RETURN label, count(*) AS n ORDER BY label")
    types = db.read("MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n ORDER BY type")
    return {"labels": {r["label"]: r["n"] for r in labels}, "relationships": {r["type"]: r["n"] for r in types}}
