"""What the web pages show, read from the graph: the counts and the revision, an entity with every
fact it takes part in, a source with every fact citing it, and the closest names to an unknown id.
Every value travels as a query parameter; every fact comes with its quote and its sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from kg.graph import when
from kg.graph.db import Database, clean
from kg.graph.schema import BASE_LABEL, LOAD_LABEL, SOURCE_LABEL
from kg.questions.search import search
from kg.seed.texts import Texts
from kg.views.page import words

#: the loader's own relationships: provenance, shown on source pages, not as an entity's facts
PROVENANCE = ("REPORTS", "MENTIONS", "PUBLISHED_BY", "AUTHORED_BY")
#: properties shown apart on an entity page (the rest are listed as they are)
SHOWN_APART = {"id", "name", "aliases", "sources", "quotes", "confidences", "confidence", "quotes_text", "name_key",
               "aliases_text"}


@dataclass
class Revision:
    """What the graph was when a page was made: the last whole-seed load's digest, and the counts."""

    digest: str | None
    nodes: int
    relationships: int

    @property
    def tag(self) -> str:
        return f"{(self.digest or 'unloaded')[:12]}-{self.nodes}-{self.relationships}"


def revision(db: Database) -> Revision:
    rows = db.read(f"OPTIONAL MATCH (m:{LOAD_LABEL}) WITH m LIMIT 1 "
                   f"CALL () {{ MATCH (n:{BASE_LABEL}) RETURN count(n) AS nodes }} "
                   "CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships } "
                   "RETURN m.digest AS digest, nodes, relationships")
    row = rows[0]
    return Revision(row["digest"], row["nodes"], row["relationships"])


def counts(db: Database) -> list[dict[str, Any]]:
    return db.read(f"MATCH (n:{BASE_LABEL}) WITH [l IN labels(n) WHERE l <> '{BASE_LABEL}'][0] AS kind "
                   "RETURN kind, count(*) AS n ORDER BY n DESC, kind")


def sources(db: Database) -> list[dict[str, Any]]:
    return [clean(r) for r in db.read(
        f"MATCH (s:{SOURCE_LABEL}) OPTIONAL MATCH (s)-[:PUBLISHED_BY]->(p) "
        "RETURN s.id AS id, s.title AS title, p.name AS publisher, p.id AS publisher_id, s.published AS published, "
        "s.url AS url ORDER BY s.published, s.id")]


def names(db: Database, limit: int | None = None) -> list[dict[str, Any]]:
    """Every entity's id, name and kind (for suggestions and the closest names), or the first `limit`."""
    return db.read(f"MATCH (n:{BASE_LABEL}) WHERE NOT n:{SOURCE_LABEL} AND n.name IS NOT NULL "
                   f"RETURN n.id AS id, n.name AS name, [l IN labels(n) WHERE l <> '{BASE_LABEL}'][0] AS kind, "
                   "coalesce(n.aliases, []) AS aliases ORDER BY n.name" + (" LIMIT $limit" if limit else ""),
                   {"limit": limit})


def suggest(db: Database, text: str, limit: int = 12) -> list[dict[str, Any]]:
    """The entities whose names or aliases start like the words of `text` (the search's index), best first."""
    hits = search(db, text, limit * 2) if text.strip() else []
    return [{"id": h["id"], "name": h.get("name") or h["id"], "kind": h["label"]} for h in hits
            if h["kind"] == "node" and h["label"] != SOURCE_LABEL][:limit]


def closest(wanted: str, candidates: list[str], limit: int = 5) -> list[str]:
    """The candidates closest to `wanted` (an id or a name that matched nothing), best first."""
    found = process.extract(wanted, candidates, scorer=fuzz.WRatio, limit=limit, score_cutoff=50)
    return [match for match, _score, _index in found]


@dataclass
class Citation:
    source: str
    quote: str
    confidence: str | None = None
    title: str | None = None


@dataclass
class Fact:
    """One fact an entity takes part in: a relationship, seen from the entity's side."""

    type: str
    words: str
    outgoing: bool
    other: dict[str, Any]
    props: dict[str, Any]
    citations: list[Citation] = field(default_factory=list)


def _citations(props: dict[str, Any], titles: dict[str, str]) -> list[Citation]:
    srcs, quotes = props.get("sources") or [], props.get("quotes") or []
    confidences = props.get("confidences") or [props.get("confidence")] * len(srcs)
    return [Citation(s, q, c, titles.get(s)) for s, q, c in zip(srcs, quotes, confidences, strict=False)]


def _dates(props: dict[str, Any]) -> dict[str, Any]:
    """The date properties of a fact, as written and as stored."""
    return {k: v for k, v in props.items()
            if k in ("date", "start", "end") or k.endswith(("_as_written", "_precision"))}


def standing(fact: Fact, at: str) -> str:
    """Where a fact stands as of `at` (kg/graph/when.py): by its own date, its start, or the date of
    the fact node at its other end (a statement's date)."""
    date = fact.props.get("date") or fact.props.get("start") or fact.other.get("date")
    return str(when.as_of(date, at))


def left_out(undated: int, as_of: str) -> str:
    """The note of a page stood at a date: how many undated facts it leaves out."""
    return f"{undated} undated {'fact' if undated == 1 else 'facts'} left out (as_of {as_of})"


def exists(db: Database, entity_id: str) -> bool:
    """Whether an entity page has this id."""
    return bool(db.read(f"MATCH (n:{BASE_LABEL} {{id: $id}}) WHERE NOT n:{SOURCE_LABEL} RETURN 1 AS found",
                        {"id": entity_id}))


def titles_of(all_sources: list[dict[str, Any]]) -> dict[str, str]:
    """Source id -> the title a citation shows (the id when there is none)."""
    return {s["id"]: s.get("title") or s["id"] for s in all_sources}


def entity(db: Database, entity_id: str, as_of: str | None = None,
           titles: dict[str, str] | None = None) -> dict[str, Any] | None:
    """An entity (or a fact node) with its properties and every fact it takes part in, grouped by
    relationship type and direction; None when no entity has this id. With `as_of`, only the facts
    known by then (`possible` ones marked), and how many undated ones were left out."""
    return entities(db, [entity_id], as_of, titles).get(entity_id)


@dataclass
class EntityRows:
    """What entity pages are made from, cleaned once (`kg.graph.db.clean`): the entities (`id`,
    `props`, `kind`) and the relationships they take part in, less provenance (`of`, the entity;
    `type`, `outgoing`, `props`, and the other end's `id`, `name`, `kind` and citation and date
    properties). With `graph`, also each
    entity's `labels` and `mentioned_by`, the relationship's `rid` and the other end's `labels` and
    dates, so that `kg site` draws its neighbourhood from the same rows (kg/views/shards.py)."""

    nodes: list[dict[str, Any]]
    rels: list[dict[str, Any]]


def entity_rows(db: Database, ids: list[str], graph: bool = False) -> EntityRows:
    """The rows of these entities' pages (unknown ids and sources left out), in two queries."""
    more = (f", labels(n) AS labels, COLLECT {{ MATCH (s:{SOURCE_LABEL})-[:MENTIONS]->(n) RETURN s.id ORDER BY s.id }} "
            "AS mentioned_by") if graph else ""
    rows = rows_clean(db.read(
        f"UNWIND $ids AS id MATCH (n:{BASE_LABEL} {{id: id}}) WHERE NOT n:{SOURCE_LABEL} "
        f"RETURN id, properties(n) AS props, [l IN labels(n) WHERE l <> '{BASE_LABEL}'][0] AS kind{more}",
        {"ids": ids}))
    more = (", elementId(r) AS rid, labels(o) AS labels, o.start AS start, o.date_precision AS date_precision, "
            "o.start_precision AS start_precision") if graph else ""
    rels = rows_clean(db.read(
        f"UNWIND $ids AS of MATCH (n:{BASE_LABEL} {{id: of}})-[r]-(o:{BASE_LABEL}) WHERE NOT type(r) IN $provenance "
        f"RETURN of, type(r) AS type, startNode(r) = n AS outgoing, properties(r) AS props, "
        f"o.id AS id, o.name AS name, [l IN labels(o) WHERE l <> '{BASE_LABEL}'][0] AS kind, o.quotes AS quotes, "
        "o.sources AS sources, o.confidence AS confidence, o.date AS date, o.date_as_written AS date_as_written"
        f"{more} ORDER BY of, type, outgoing DESC, coalesce(r.date, r.start, o.date, '9999'), o.name, o.id",
        {"ids": [r["id"] for r in rows], "provenance": list(PROVENANCE)}))
    return EntityRows(rows, rels)


def entities(db: Database, ids: list[str], as_of: str | None = None,
             titles: dict[str, str] | None = None, rows: EntityRows | None = None) -> dict[str, dict[str, Any]]:
    """`entity()` of many ids at once, in two queries (three without `titles`, the sources' titles
    when the caller has them already: kg site, for every entity), or none when given their `rows`;
    unknown ids are left out."""
    if rows is None:
        rows = entity_rows(db, ids)
    if titles is None:
        cited = {str(x) for r in rows.nodes for x in r["props"].get("sources") or []}
        cited.update(str(x) for r in rows.rels for x in (r["props"].get("sources") or []) + (r.get("sources") or []))
        titles = {t["id"]: t["title"] for t in db.read(
            f"MATCH (s:{SOURCE_LABEL}) WHERE s.id IN $ids RETURN s.id AS id, coalesce(s.title, s.id) AS title",
            {"ids": sorted(cited)})}
    facts_of: dict[str, list[dict[str, Any]]] = {}
    for r in rows.rels:
        facts_of.setdefault(r["of"], []).append(r)
    return {row["id"]: _entity(row["id"], row["props"], row["kind"], facts_of.get(row["id"], []), as_of, titles)
            for row in rows.nodes}


def _entity(entity_id: str, props: dict[str, Any], kind: str, rels: list[dict[str, Any]], as_of: str | None,
            titles: dict[str, str]) -> dict[str, Any]:
    groups: dict[str, list[Fact]] = {}
    undated = 0
    for r in rels:
        rprops = r["props"]
        own = _citations(rprops, titles)
        other = {k: r.get(k) for k in ("id", "name", "kind", "date", "date_as_written")}
        fact = Fact(r["type"], words(r["type"]), r["outgoing"], other, _dates(rprops),
                    own or _citations({"sources": r.get("sources"), "quotes": r.get("quotes"),
                                       "confidence": r.get("confidence")}, titles))
        fact.props["confidence"] = rprops.get("confidence") or r.get("confidence")
        if as_of is not None:
            fact.props["as_of"] = standing(fact, as_of)
            if fact.props["as_of"] in (when.LATER, when.UNDATED):
                undated += fact.props["as_of"] == when.UNDATED
                continue
        label = f"{fact.words} →" if fact.outgoing else f"← {fact.words}"
        groups.setdefault(label, []).append(fact)
    return {"id": entity_id, "name": props.get("name") or entity_id, "kind": kind,
            "aliases": props.get("aliases") or [],
            "properties": {k: v for k, v in sorted(props.items()) if k not in SHOWN_APART},
            "citations": _citations(props, titles), "groups": groups, "as_of": as_of,
            "notes": [left_out(undated, as_of)] if undated and as_of else []}


def rows_clean(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows as `clean` makes them (nulls dropped, their `props` included)."""
    return [clean(r) for r in rows]


def source(db: Database, source_id: str, texts: Path | None = None, as_of: str | None = None
           ) -> dict[str, Any] | None:
    """A source's metadata and every fact citing it, with its quote, in the order the quotes occur in
    the article's text when the texts folder holds it (else by id); None for an unknown id. With
    `as_of`, only the facts dated by then, by the questions' rule (`possible` ones marked), and notes
    on the undated ones left out and on a source published after that date. A relationship's date is
    its own (or its start), else that of the fact node at one of its ends (a statement's date), as on
    entity pages."""
    rows = db.read(f"MATCH (s:{SOURCE_LABEL} {{id: $id}}) OPTIONAL MATCH (s)-[:PUBLISHED_BY]->(p) "
                   "OPTIONAL MATCH (s)-[:AUTHORED_BY]->(a) "
                   "RETURN properties(s) AS props, p.id AS publisher_id, p.name AS publisher, "
                   "[x IN collect(a) | {id: x.id, name: x.name}] AS authors", {"id": source_id})
    if not rows:
        return None
    props = clean(rows[0]["props"])
    quote = "[i IN range(0, size({0}.sources) - 1) WHERE {0}.sources[i] = $id | {0}.quotes[i]][0] AS quote"
    # what the source cites is found through the loader's links from it (REPORTS its fact nodes,
    # MENTIONS every id its facts name), never by scanning every node and relationship
    facts = db.read(
        f"MATCH (s:{SOURCE_LABEL} {{id: $id}}) CALL (s) {{ MATCH (s)-[:MENTIONS|REPORTS]->(n:{BASE_LABEL}) "
        "WHERE $id IN n.sources RETURN DISTINCT n } "
        f"RETURN 'node' AS what, n.id AS id, n.name AS name, [l IN labels(n) WHERE l <> '{BASE_LABEL}'][0] AS kind, "
        f"{quote.format('n')}, null AS start_id, null AS start_name, null AS end_id, null AS end_name, "
        "n.date AS date, n.date_as_written AS date_as_written "
        "UNION ALL "
        f"MATCH (s:{SOURCE_LABEL} {{id: $id}})-[:MENTIONS]->(a:{BASE_LABEL})-[r]->(b:{BASE_LABEL}) "
        "WHERE $id IN r.sources "
        f"RETURN 'rel' AS what, r.key AS id, type(r) AS name, type(r) AS kind, {quote.format('r')}, "
        "a.id AS start_id, a.name AS start_name, b.id AS end_id, b.name AS end_name, "
        "coalesce(r.date, r.start, a.date, b.date) AS date, "
        "coalesce(r.date_as_written, r.start_as_written, a.date_as_written, b.date_as_written) AS date_as_written",
        {"id": source_id})
    facts = [clean(f) for f in facts]
    notes = []
    if as_of is not None:
        standing = {id(f): when.as_of(f.get("date"), as_of) for f in facts}
        undated = sum(s == when.UNDATED for s in standing.values())
        facts = [f for f in facts if standing[id(f)] in (when.CERTAIN, when.POSSIBLE)]
        for f in facts:
            f["as_of"] = standing[id(f)]
        if undated:
            notes.append(left_out(undated, as_of))
        published = props.get("published")
        if published and when.as_of(str(published), as_of) == when.LATER:
            notes.append(f"this source was published on {published}, after {as_of}: what it reports was not "
                         "yet known from it then")
    for f in facts:
        if f["what"] == "rel":
            f["words"] = words(f["kind"])
    offset_of: dict[int, int] = {}  # id(fact) -> where its quote starts in the text
    if texts is not None and props.get("text") and Texts(texts).has(str(props["text"])):
        article = Texts(texts).article(str(props["text"]))
        for f in facts:
            found = article.find(f.get("quote") or "")
            if found is not None:
                f["line"] = found.line
                offset_of[id(f)] = found.offset
    facts.sort(key=lambda f: (offset_of.get(id(f), 1 << 62), f["id"]))
    return {"id": source_id, "props": props, "publisher": rows[0]["publisher"],
            "publisher_id": rows[0]["publisher_id"], "authors": rows[0]["authors"], "facts": facts,
            "in_text_order": bool(offset_of), "as_of": as_of, "notes": notes}


def entity_ids(db: Database) -> list[str]:
    """The id of every entity page (every node but the sources), in order."""
    rows = db.read(f"MATCH (n:{BASE_LABEL}) WHERE NOT n:{SOURCE_LABEL} RETURN n.id AS id ORDER BY id")
    return [r["id"] for r in rows]


def search_index(db: Database) -> list[dict[str, Any]]:
    """What the static site's search reads: each entity's name, kind, aliases and quotes, with its page."""
    rows = db.read(f"MATCH (n:{BASE_LABEL}) WHERE NOT n:{SOURCE_LABEL} "
                   f"RETURN n.id AS id, coalesce(n.name, n.id) AS name, "
                   f"[l IN labels(n) WHERE l <> '{BASE_LABEL}'][0] AS kind, coalesce(n.aliases, []) AS aliases, "
                   "coalesce(n.quotes, []) AS quotes ORDER BY name, id")
    return [{**r, "href": f"entity/{r['id']}/"} for r in rows]
