"""Which entity a text names: one rule, for the loaded graph and for the seed alike.

A text names an entity by its id (exactly), else by its name, else by one of its aliases (both
case-insensitive): an id beats a name beats an alias. When the best rank holds several entities
the text is ambiguous; when none, it names nothing. Both are usage errors that say so.

`resolve_entity(db, text)` asks the database for the candidates; `seed_index(seed)` and
`resolve_in(index, text)` find them in a validated seed (the Browser guide resolves its example
parameters there, without a database). Both end in `choose()`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from kg.errors import UsageError
from kg.graph.db import Database
from kg.graph.schema import name_key
from kg.questions.search import search
from kg.seed.validated import Seed

#: the ranks of the ways a text names an entity: lower wins
BY_ID, BY_NAME, BY_ALIAS = 0, 1, 2

#: lower-cased text -> [(rank, id)]
Index = Mapping[str, list[tuple[int, str]]]


def choose(text: str, candidates: Iterable[tuple[int, str]], *, where: str = "",
           names: Mapping[str, str] | None = None,
           close: Callable[[], list[tuple[str, str]]] | None = None) -> str:
    """The id among `candidates` ((rank, id) pairs) that `text` names: the only one of the best rank.
    `names` (id -> name) makes the ambiguity error list names too; `close` gives (id, name) pairs
    of close matches for the not-found error; `where` says where it was looked up."""
    ranked = list(candidates)
    if not ranked:
        hint = ""
        if close is not None:
            hint = "; close matches: " + ("; ".join(f"{i} ({n})" for i, n in close()) or "none")
        raise UsageError(f"no entity is called {text!r}{where}{hint}")
    best = min(rank for rank, _ in ranked)
    ids = sorted({i for rank, i in ranked if rank == best})
    if len(ids) > 1:
        listing = "; ".join(f"{i} ({names[i]})" if names and names.get(i) else i for i in ids)
        raise UsageError(f"{text!r} is ambiguous{where}: it names {listing}; pass the id")
    return ids[0]


def resolve_entity(db: Database, text: str) -> str:
    """The id of the entity in the database that `text` names (see the module's rule); the
    not-found error lists close matches from the full-text search."""
    return resolve_entities(db, [text])[0]


def resolve_entities(db: Database, texts: Sequence[str],
                     read: Callable[[str, dict[str, Any]], list[dict[str, Any]]] | None = None,
                     params: Sequence[str] | None = None) -> list[str]:
    """`resolve_entity` for several texts in one round trip (a question with two entity
    parameters answers in a few milliseconds: a round trip each would be most of it). `read` runs
    the lookup (default: `db.read`, a transaction of its own; a question passes its own transaction's);
    `params`, the names of the parameters the texts were given as, for the errors."""
    texts = [t.strip() for t in texts]
    if not texts:
        return []
    # the id; else names by `name_key` (a range index); only when no name matches, aliases through the
    # full-text index (a phrase, then exact and case-insensitive): an alias never outranks a name, and
    # most lookups skip Lucene. The full-text branch also matches names, for a graph loaded before
    # `name_key` was written.
    phrases = ['"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"' for t in texts]
    rows = (read or db.read)(
        "UNWIND range(0, size($texts) - 1) AS i "
        "WITH i, $texts[i] AS text, $keys[i] AS key, $queries[i] AS q "
        "OPTIONAL MATCH (hit:Entity {id: text}) "
        "CALL (hit, text, key, q) { "
        "  WITH hit WHERE hit IS NOT NULL RETURN hit.id AS id, hit.name AS name, $by_id AS rank "
        "  UNION "
        "  WITH hit, key WHERE hit IS NULL "
        "  MATCH (n:Entity {name_key: key}) RETURN n.id AS id, n.name AS name, $by_name AS rank "
        "  UNION "
        "  WITH hit, text, key, q WHERE hit IS NULL AND text <> '' AND NOT EXISTS { (:Entity {name_key: key}) } "
        "  CALL db.index.fulltext.queryNodes('kg_search', q, {limit: 1000}) YIELD node AS n "
        "  WITH n, text WHERE toLower(n.name) = toLower(text) "
        "    OR any(a IN coalesce(n.aliases, []) WHERE toLower(a) = toLower(text)) "
        "  RETURN n.id AS id, n.name AS name, "
        "    CASE WHEN toLower(n.name) = toLower(text) THEN $by_name ELSE $by_alias END AS rank "
        "} "
        "RETURN i, id, name, rank",
        {"texts": texts, "keys": [name_key(t) for t in texts],
         "queries": [f"name:{p} OR aliases_text:{p}" for p in phrases],
         "by_id": BY_ID, "by_name": BY_NAME, "by_alias": BY_ALIAS},
    )

    def close(text: str) -> Callable[[], list[tuple[str, str]]]:
        def hits() -> list[tuple[str, str]]:
            return [(str(h["id"]), str(h.get("name"))) for h in search(db, text, limit=5) if h.get("id")]
        return hits

    found: list[list[dict[str, Any]]] = [[] for _ in texts]
    for r in rows:
        found[r["i"]].append(r)
    where = [f" (parameter {p!r})" for p in params] if params is not None else [""] * len(texts)
    return [choose(text, [(r["rank"], r["id"]) for r in hits], names={r["id"]: r["name"] for r in hits},
                   close=close(text), where=at) for text, hits, at in zip(texts, found, where, strict=True)]


def seed_index(seed: Seed, texts: Iterable[str] | None = None) -> dict[str, list[tuple[int, str]]]:
    """Lower-cased id, name and alias of every node and source in the seed -> [(rank, id)]; only
    those `texts` name, if given (the whole index of a large seed is tens of megabytes)."""
    wanted = None if texts is None else {name_key(t) for t in texts}
    index: dict[str, list[tuple[int, str]]] = {}
    things = itertools.chain(((n.id, n.props) for n in seed.nodes.values()),
                             ((s.id, s.props) for s in seed.sources.values()))
    for thing, props in things:
        names = [(BY_ID, thing), (BY_NAME, str(props.get("name") or ""))]
        names += [(BY_ALIAS, str(a)) for a in props.get("aliases") or []]
        for rank, text in names:
            key = name_key(text)
            if text and (wanted is None or key in wanted):
                index.setdefault(key, []).append((rank, thing))
    return index


def resolve_in(index: Index, text: str) -> str:
    """The id `text` names in a seed's index, as `resolve_entity` would find it once the seed is
    loaded (an id matches exactly, names and aliases in any case)."""
    text = text.strip()
    hits = [(rank, i) for rank, i in index.get(name_key(text), []) if rank != BY_ID or i == text]
    return choose(text, hits, where=" in the seed")
